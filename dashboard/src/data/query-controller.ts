import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { fetchJson, fetchTable, isAbort, urlFor, type Params, type Row, type TableResult } from './api-client.ts';

export type QueryState = 'idle' | 'loading' | 'ready' | 'error';

export interface QueryArgs {
  path: string;
  params?: Params;
  /** A JSON document rather than a table (the lineage manifest): it arrives as the one row. */
  json?: boolean;
}

/**
 * Binds one API table to a component: before each update it works out which request the
 * component's current properties ask for, starts it when that changed, and re-renders the host
 * when it settles. An answer to an older request is dropped.
 */
export class QueryController<T = Row> implements ReactiveController {
  state: QueryState = 'idle';
  value?: TableResult<T>;
  error?: Error;
  private key?: string;

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    private readonly args: () => QueryArgs | undefined,
  ) {
    host.addController(this);
  }

  get rows(): T[] {
    return this.value?.rows ?? [];
  }

  /** The same request as CSV (the server's CSV writer): the rows the view was drawn from, for a download link. */
  get csvUrl(): string {
    const args = this.args();
    return args && !args.json ? urlFor(args.path, args.params, 'csv') : '';
  }

  get settled(): boolean {
    return this.state !== 'loading';
  }

  hostUpdate(): void {
    const args = this.args();
    const key = args ? urlFor(args.path, args.params) : undefined;
    if (key === this.key) return;
    this.key = key;
    if (!args) {
      this.state = 'idle';
      this.value = undefined;
      return;
    }
    this.run(args, key!);
  }

  private run(args: QueryArgs, key: string): void {
    this.state = 'loading';
    this.error = undefined;
    const request = args.json ? fetchJson<T>(urlFor(args.path, args.params)).then((body) => ({ columns: [], rows: [body], total: 1 })) : fetchTable<T>(args.path, args.params);
    void request.then(
      (value) => {
        if (key !== this.key) return;
        this.value = value;
        this.state = 'ready';
        this.host.requestUpdate();
      },
      (error: Error) => {
        if (key !== this.key) return;
        // A navigation aborted a request this view still wants (its filters did not change): ask again.
        if (isAbort(error)) {
          if (this.host.isConnected) this.run(args, key);
          return;
        }
        this.error = error;
        this.state = 'error';
        this.host.requestUpdate();
      },
    );
    this.host.requestUpdate();
  }
}
