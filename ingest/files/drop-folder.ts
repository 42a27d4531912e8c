import { createHash } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import { type FileHandle, lstat, open, readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { SourceConfig } from '../../core/config-schema.ts';
import { parseDurationMs } from '../../core/duration.ts';
import { IngestError, causeMessage } from '../../core/errors.ts';
import type { Config } from '../../core/load-config.ts';
import { logger } from '../../core/logger.ts';
import { parseSizeBytes } from '../../core/size.ts';
import type { IgnoredFile } from '../connectors/connector.ts';
import { inspectFile, type FileInspection } from './inspect-file.ts';

/**
 * What a drop folder admits. Only regular files are read: a FIFO would block its reader forever, a
 * device such as /dev/zero never ends, a socket cannot be read at all. A symbolic link is followed
 * only when the source says `follow_symlinks: true`, and only to a regular file inside the folder
 * or one of its `symlink_roots`. A file over `ingest.max_file_size` is refused before anything
 * reads it. Such a file is not skipped quietly: it becomes a batch that its stage rejects, so its
 * reason lands in the ledger once and the next listing skips it like any batch already decided.
 * Names starting with a dot or ending in `.part` or `.tmp` are files still being written.
 */
export interface DropFile {
  name: string;
  file: string;
  /** Why the file is refused without being read; its identity is then its name and what it is. */
  refusal?: { error: IngestError; identity: string };
  /** The admitted file's size and modification time when it was listed. */
  stamp?: FileStamp;
}

/**
 * A file's size and modification time (as precise as the file system keeps it): a file rewritten in
 * place changes one of them, so a file whose stamp is the one recorded when it was read is unchanged.
 */
export interface FileStamp {
  sizeBytes: number;
  mtimeMs: number;
}

const stampOf = (stats: Stats): FileStamp => ({ sizeBytes: stats.size, mtimeMs: stats.mtimeMs });

/** How large a file may be, and how far a compressed one may expand (`ingest:` in the config). */
export interface FileLimits {
  maxFileBytes: number;
  maxDecompressedBytes: number;
  maxCompressionRatio: number;
}

export function fileLimits(config: Pick<Config, 'ingest'>): FileLimits {
  return {
    maxFileBytes: parseSizeBytes(config.ingest.max_file_size),
    maxDecompressedBytes: parseSizeBytes(config.ingest.max_decompressed_size),
    maxCompressionRatio: config.ingest.max_compression_ratio,
  };
}

const inProgress = /^\.|\.(part|tmp)$/i;

/** The files of a source's folder in name order that are complete and may be read, or are refused with a reason. */
export async function listDropFolder(source: SourceConfig, config: Pick<Config, 'ingest'>, now = Date.now(), wait?: (file: IgnoredFile) => void): Promise<DropFile[]> {
  const folder = source.path!;
  let names: string[];
  try {
    names = (await readdir(folder)).sort();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new IngestError(`folder ${folder} does not exist: create it, or set this source's path to the folder its exports land in`, { source: source.name }, { cause: error });
    }
    if (code === 'ENOTDIR') throw new IngestError(`${folder} is a file, not a folder: set this source's path to the folder its exports land in`, { source: source.name }, { cause: error });
    throw new IngestError(`cannot read folder ${folder}: ${causeMessage(error)}`, { source: source.name, transient: code === 'EBUSY' || code === 'EAGAIN' }, { cause: error });
  }
  const limits = fileLimits(config);
  const quietMs = parseDurationMs(source.quiet_period) ?? 0;
  const roots = await Promise.all([folder, ...source.symlink_roots].map((root) => realpath(root).catch(() => path.resolve(root))));
  // This listing replaces what the folder's last one admitted, so the record stays the folder's size.
  const here = path.dirname(path.join(folder, '_'));
  for (const file of listed.keys()) if (path.dirname(file) === here) listed.delete(file);
  const candidates = names.filter((name) => !inProgress.test(name));
  // A few stat calls a file, each a trip to libuv's thread pool: one file after another they cost
  // about 0.3 ms a file (0.4 s a run for a folder of 1,300 files), so a chunk of files at a time.
  const admissions: Admission[] = [];
  for (let start = 0; start < candidates.length; start += admitChunk) {
    const chunk = candidates.slice(start, start + admitChunk).map((name) =>
      admit(path.join(folder, name), source, roots, limits).catch((error: unknown) => refuse(`cannot be read: ${causeMessage(error)}`, 'unreadable')),
    );
    admissions.push(...(await Promise.all(chunk)));
  }
  const files: DropFile[] = [];
  for (const [index, name] of candidates.entries()) {
    const file = path.join(folder, name);
    const admitted = admissions[index]!;
    if (admitted === 'ignore') continue;
    if ('refusal' in admitted) {
      files.push({ name, file, refusal: { error: new IngestError(`${name} ${admitted.refusal.message}`, { source: source.name, file }), identity: `${name}\0${admitted.refusal.kind}` } });
      continue;
    }
    listed.set(file, { target: admitted.target, dev: admitted.stats.dev, ino: admitted.stats.ino });
    if (now - admitted.stats.mtimeMs < quietMs) {
      const ago = Math.max(0, Math.round((now - admitted.stats.mtimeMs) / 1000));
      wait?.({
        file,
        waiting: true,
        reason: `it changed ${ago} s ago, and a file counts as complete once it has not changed for quiet_period (${source.quiet_period}): it may still be being written`,
        fix: 'nothing to do: a later ingest takes it once it is quiet; if files only ever appear complete (written under a .part name and renamed), set quiet_period: 0s on the source',
      });
      continue;
    }
    files.push({ name, file, stamp: stampOf(admitted.stats) });
  }
  return files;
}

const admitChunk = 64;

type Admission = 'ignore' | { stats: Stats; target: string } | { refusal: { message: string; kind: string } };

function refuse(message: string, kind: string): Admission {
  return { refusal: { message, kind } };
}

async function admit(file: string, source: SourceConfig, roots: string[], limits: FileLimits): Promise<Admission> {
  const link = await lstat(file);
  if (link.isDirectory()) return 'ignore';
  let stats = link;
  let target = file;
  if (link.isSymbolicLink()) {
    if (!source.follow_symlinks) return refuse('is a symbolic link, not read: set follow_symlinks: true on the source to read links to files in the folder or its symlink_roots', 'symlink');
    const resolved = await realpath(file).catch(() => undefined);
    if (resolved === undefined) return refuse('is a broken symbolic link', 'broken-link');
    if (!roots.some((root) => resolved === root || resolved.startsWith(`${root}${path.sep}`))) {
      return refuse(`links to ${resolved}, outside the folder and its symlink_roots: not read`, `outside:${resolved}`);
    }
    target = resolved;
    stats = await stat(target);
  }
  if (!stats.isFile()) return refuse(`is ${kindOf(stats)}, not a regular file: only regular files are read`, kindOf(stats));
  if (stats.size > limits.maxFileBytes) {
    return refuse(`is ${stats.size} bytes, over ingest.max_file_size (${limits.maxFileBytes} bytes): split it or raise the limit`, `size:${stats.size}:${stats.mtimeMs}`);
  }
  return { stats, target };
}

function kindOf(stats: Stats): string {
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isDirectory()) return 'a directory';
  return 'not a regular file';
}

/**
 * An inspection, or the refusal a stage throws, with the stamp of the file it read (none for a file
 * the listing refused); undefined when the file changed while it was read (taken next time).
 */
export type DropInspection = FileInspection & { refusal?: IngestError; stamp?: FileStamp };

/**
 * Inspects an admitted file within the limits; one that cannot be inspected (a truncated gzip, a
 * decompression bomb) or was refused by the listing still becomes a batch, whose stage refuses
 * it, so that its rejection is recorded in the ledger like any other.
 */
export async function inspectDropFile(entry: DropFile, gzip: boolean, limits: FileLimits): Promise<DropInspection | undefined> {
  if (entry.refusal) return { sha256: createHash('sha256').update(`refused\0${entry.refusal.identity}`).digest('hex'), sizeBytes: 0, refusal: entry.refusal.error };
  // Hashed through an open descriptor of the file the listing admitted, as DuckDB reads it later.
  let pinned: PinnedFiles;
  try {
    pinned = await pinFiles([entry.file]);
  } catch (error) {
    if (!(error instanceof IngestError) || !error.context.transient) throw error;
    logger.info({ file: entry.file }, `${causeMessage(error)}: taken at the next run`);
    return undefined;
  }
  try {
    const [file] = pinned.paths;
    const before = await stat(file);
    let inspection: DropInspection;
    try {
      inspection = await inspectFile(file, { gzip, maxDecompressedBytes: Math.min(limits.maxDecompressedBytes, before.size * limits.maxCompressionRatio), name: entry.file });
    } catch (error) {
      if (!(error instanceof IngestError) || error.context.transient) throw error;
      const { sha256 } = await inspectFile(file, { name: entry.file });
      inspection = { sha256, sizeBytes: 0, refusal: error };
    }
    // A writer still appending: the hash is of a file that is not complete yet.
    const after = await stat(file);
    if (after.size !== before.size || after.mtimeMs !== before.mtimeMs) {
      logger.info({ file: entry.file }, 'file changed while it was read: taken once it is complete');
      return undefined;
    }
    return { ...inspection, stamp: stampOf(before) };
  } finally {
    await pinned.release();
  }
}

/** The file each admitted name was when the folder was listed: the path opened and its inode. */
const listed = new Map<string, { target: string; dev: number; ino: number }>();

/** Paths DuckDB (or anything else) reads in place of the files, while they stay open. */
export interface PinnedFiles {
  paths: string[];
  release(): Promise<void>;
}

/**
 * Opens files before DuckDB reads them, so that what is read is what the listing admitted: the name
 * could be swapped for a FIFO, a device or a link between the check and the read. Each file is
 * opened without following a link and without blocking (a FIFO would block), the descriptor must
 * be a regular file and, for a listed name, the same inode the listing admitted (a followed link's
 * target is opened directly); DuckDB then reads `/dev/fd/N`, the open file itself. A file that
 * changed since the listing fails the read as transient: it is taken at the next run.
 */
export async function pinFiles(files: readonly string[]): Promise<PinnedFiles> {
  const handles: FileHandle[] = [];
  const release = async () => {
    await Promise.all(handles.splice(0).map((handle) => handle.close().catch(() => undefined)));
  };
  try {
    for (const file of files) {
      const expected = listed.get(file);
      const changed = (what: string) =>
        new IngestError(`${path.basename(file)} ${what} since the folder was listed: it is read again at the next run`, { file, transient: true });
      let handle: FileHandle;
      try {
        handle = await open(expected?.target ?? file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ELOOP') throw changed('became a symbolic link');
        if (code === 'ENOENT') throw changed('was removed');
        throw error;
      }
      handles.push(handle);
      const stats = await handle.stat();
      if (!stats.isFile()) throw changed(`became ${kindOf(stats)}`);
      if (expected && (stats.dev !== expected.dev || stats.ino !== expected.ino)) throw changed('was replaced by another file');
    }
    return { paths: handles.map((handle) => `/dev/fd/${handle.fd}`), release };
  } catch (error) {
    await release();
    throw error;
  }
}
