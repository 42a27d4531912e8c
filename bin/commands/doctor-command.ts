import { Command } from 'commander';
import { checkSetup, type SetupFinding } from '../../ingest/check-setup.ts';
import { configFrom, type GlobalOptions } from '../context.ts';
import { say } from '../terminal.ts';

export function doctorCommand(): Command {
  return new Command('doctor')
    .description('check the config and the drop folders: sources never compared, locations without a truth, missing folders, files no connector reads')
    .action(async (_options: unknown, command: Command) => {
      const config = configFrom(command.optsWithGlobals<GlobalOptions>());
      const findings = await checkSetup(config);
      for (const line of doctorLines(findings)) say(line);
      const errors = findings.filter((finding) => finding.severity === 'error').length;
      say(
        findings.length === 0
          ? `${config.file}: every source is read and compared (${config.sources.length} sources, ${config.locations.length} locations)`
          : `${config.file}: ${errors} problem${errors === 1 ? '' : 's'}, ${findings.length - errors} warning${findings.length - errors === 1 ? '' : 's'}`,
      );
      if (errors > 0) process.exitCode = 1;
    });
}

/** Each finding as two lines: what is wrong with what, then the fix. */
export function doctorLines(findings: readonly SetupFinding[]): string[] {
  return findings.flatMap((finding) => [`${finding.severity === 'error' ? 'problem' : 'warning'}: ${finding.subject}: ${finding.problem}`, `  fix: ${finding.fix}`]);
}
