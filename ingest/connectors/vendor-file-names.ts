import { stat } from 'node:fs/promises';
import type { SourceConfig } from '../../core/config-schema.ts';
import type { Config } from '../../core/load-config.ts';
import { IngestError, causeMessage } from '../../core/errors.ts';
import { looseStamp, parseStamp } from '../batch-file-name.ts';
import { listDropFolder, type DropFile } from '../files/drop-folder.ts';
import type { IgnoredFile } from './connector.ts';

/** A file the drop folder admitted (or refused, see `DropFile`), with what its name says. */
export interface VendorFile extends DropFile {
  capturedAt: Date;
  mode: 'full' | 'delta';
  gzip: boolean;
}

const stampInName = /(\d{8}T\d{6}Z)/;

/**
 * The files of a vendor source and their capture times. By default a file is named as Stocklens
 * names it (`defaultName`, whose first group is the `YYYYMMDDTHHMMSSZ` stamp and optional second
 * group the mode); a source that keeps the vendor's own names sets `pattern` (a glob such as
 * `*.txt`), and a file whose name carries no stamp is captured at its modification time: the
 * moment the vendor's download was written. Files matching neither are reported through `ignore` and left alone.
 */
export async function vendorFiles(source: SourceConfig, config: Pick<Config, 'ingest'>, defaultName: RegExp, expected: string, ignore?: (file: IgnoredFile) => void): Promise<VendorFile[]> {
  const matcher = source.pattern ? globRegExp(source.pattern) : undefined;
  const found: VendorFile[] = [];
  for (const entry of await listDropFolder(source, config, Date.now(), ignore)) {
    const { name, file } = entry;
    const gzip = name.endsWith('.gz');
    if (matcher) {
      if (!matcher.test(name)) continue;
      const stamp = stampInName.exec(name);
      const capturedAt = (stamp && parseStamp(stamp[1])) || (entry.refusal ? new Date(0) : await modifiedAt(source, file));
      found.push({ ...entry, capturedAt, mode: /_delta\b/.test(name) ? 'delta' : 'full', gzip });
      continue;
    }
    const match = defaultName.exec(name);
    const capturedAt = match && parseStamp(match[1]);
    if (!match || !capturedAt) {
      const suggested = expected.replace('<YYYYMMDDTHHMMSSZ>', looseStamp(name) ?? '<YYYYMMDDTHHMMSSZ>').replace('[_full|_delta]', '');
      ignore?.({ file, reason: `its name is not ${expected}`, fix: `rename it to ${suggested} (the time in UTC), or set pattern: on the source to read files under the vendor's own names` });
      continue;
    }
    found.push({ ...entry, capturedAt, mode: (match[2] as 'full' | 'delta' | undefined) ?? 'full', gzip });
  }
  return found.sort((a, b) => a.capturedAt.getTime() - b.capturedAt.getTime() || a.name.localeCompare(b.name));
}

async function modifiedAt(source: SourceConfig, file: string): Promise<Date> {
  try {
    return (await stat(file)).mtime;
  } catch (error) {
    throw new IngestError(`source ${source.name}: cannot read ${file}: ${causeMessage(error)}`, { source: source.name, file }, { cause: error });
  }
}

/** A file-name glob (`*` any run of characters, `?` one) as an anchored regular expression. */
export function globRegExp(glob: string): RegExp {
  const body = [...glob].map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${body}$`);
}
