import { createReadStream, createWriteStream } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { IngestError, causeMessage } from '../../core/errors.ts';

/**
 * The encodings a vendor file may come in. Windows-1252 is what Amazon serves some reports in
 * (EU marketplaces, per its own API model issues): é, ß, € and curly quotes as single bytes that
 * are not valid UTF-8. Its single bytes keep every line ending where it was.
 */
export type TextEncoding = 'utf-8' | 'windows-1252';

/** UTF-8 when every byte of the file decodes as UTF-8, else Windows-1252 (which decodes any byte). */
export async function detectEncoding(file: string): Promise<TextEncoding> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  try {
    for await (const chunk of createReadStream(file)) decoder.decode(chunk as Buffer, { stream: true });
    decoder.decode();
    return 'utf-8';
  } catch (error) {
    if (error instanceof TypeError) return 'windows-1252';
    throw new IngestError(`cannot read ${file}: ${causeMessage(error)}`, { file }, { cause: error });
  }
}

/** A stream transform from `encoding` to UTF-8 text. */
export function decodingTransform(encoding: TextEncoding): Transform {
  const decoder = new TextDecoder(encoding);
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      done(null, decoder.decode(chunk, { stream: true }));
    },
    flush(done) {
      done(null, decoder.decode());
    },
  });
}

/** Writes `file` decoded from `encoding` as UTF-8 to `target`, off the event loop's critical path. */
export async function transcodeToUtf8(file: string, encoding: TextEncoding, target: string): Promise<void> {
  try {
    await pipeline(createReadStream(file), decodingTransform(encoding), createWriteStream(target));
  } catch (error) {
    throw new IngestError(`cannot transcode ${file} from ${encoding}: ${causeMessage(error)}`, { file, transient: true }, { cause: error });
  }
}
