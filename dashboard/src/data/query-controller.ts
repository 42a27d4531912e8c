import { initialState, Task, TaskStatus } from '@lit/task';
import type { ReactiveControllerHost } from 'lit';
import { fetchJson, fetchTable, isAbort, urlFor, type Params, type Row, type TableResult } from './api-client.ts';

export type QueryState = 'idle' | 'loading' | 'ready' | 'error';

export interface QueryArgs {
  path: string;
  params?: Params;
  /** A JSON document rather than a table (the lineage manifest): it arrives as the one row. */
  json?: boolean;
}

const states: Record<TaskStatus, QueryState> = {
  [TaskStatus.INITIAL]: 'idle',
  [TaskStatus.PENDING]: 'loading',
  [TaskStatus.COMPLETE]: 'ready',
  [TaskStatus.ERROR]: 'error',
};

/**
 * Binds one API table to a component through `@lit/task`: before each update the task works out
 * which request the component's current properties ask for (`args`, compared by URL), starts it
 * when that changed, drops the answer of a request a newer one replaced, and re-renders the host
 * when it settles. What this adds is the dashboard's vocabulary: the request as a path and
 * parameters, its state in the words the pages use, its CSV twin, and one rule of the data layer:
 * a navigation aborts every pending request (api-client.ts), so one this view still wants (its
 * URL did not change, so the task does not run again) is asked again.
 */
export class QueryController<T = Row> {
  private readonly task: Task<[string | undefined, QueryArgs | undefined], TableResult<T>>;

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    private readonly args: () => QueryArgs | undefined,
  ) {
    this.task = new Task(host, {
      args: () => {
        const request = this.args();
        return [request ? `${request.json ? 'json:' : ''}${urlFor(request.path, request.params)}` : undefined, request];
      },
      argsEqual: ([before], [after]) => before === after,
      task: ([, request], { signal }) => (request ? this.load(request, signal) : Promise.resolve(initialState as never)),
    });
  }

  get state(): QueryState {
    return states[this.task.status];
  }

  get value(): TableResult<T> | undefined {
    return this.task.status === TaskStatus.INITIAL ? undefined : this.task.value;
  }

  get error(): Error | undefined {
    return this.task.error as Error | undefined;
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

  private async load(request: QueryArgs, signal: AbortSignal): Promise<TableResult<T>> {
    for (;;) {
      try {
        return request.json ? { columns: [], rows: [await fetchJson<T>(urlFor(request.path, request.params))], total: 1 } : await fetchTable<T>(request.path, request.params);
      } catch (error) {
        // Aborted by a navigation, not by a newer request of this view: the view still wants it.
        if (isAbort(error) && !signal.aborted && this.host.isConnected) continue;
        throw error;
      }
    }
  }
}
