import { css } from 'lit';

/** Layout shared by the pages: cards in a grid that becomes one column on a tablet. */
export const pageStyles = css`
  :host { display: block; }
  h2 { font-size: 1.35rem; margin: 0 0 0.25rem; }
  .lede { color: #5b6475; margin: 0 0 1.25rem; max-width: 60rem; }
  .grid { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 1rem; }
  .grid > .wide { grid-column: 1 / -1; }
  @media (max-width: 900px) { .grid { grid-template-columns: minmax(0, 1fr); } }
  section.card { background: #fff; border: 1px solid #dde2ea; border-radius: 8px; padding: 1rem 1.25rem; min-width: 0; }
  section.card h3 { font-size: 1rem; margin: 0 0 0.2rem; }
  section.card .sub { color: #5b6475; font-size: 0.85rem; margin: 0 0 0.75rem; }
  .state { color: #5b6475; padding: 1.5rem 0; margin: 0; }
  .state.error { color: #a4262c; }
  .state.loading { animation: pulse 1.2s ease-in-out infinite alternate; }
  @keyframes pulse { from { opacity: 1; } to { opacity: 0.55; } }
  @media (prefers-reduced-motion: reduce) { .state.loading { animation: none; } }
  a { color: #1f5bc4; }
  a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, textarea:focus-visible { outline: 2px solid #2f6fde; outline-offset: 2px; }
`;

/** Small labels for directions and verdicts; tables use them too, inside their own shadow root. */
export const badgeStyles = css`
  .badge { display: inline-block; padding: 0.05rem 0.45rem; border-radius: 999px; font-size: 0.78rem; background: #eef1f5; color: #3a4254; }
  .badge.over { background: #fbe3e6; color: #8f0b20; }
  .badge.under { background: #fdf0d5; color: #7a4f00; }
  .badge.good { background: #e2f3e7; color: #145c29; }
  .badge.bad { background: #fbe3e6; color: #8f0b20; }
`;
