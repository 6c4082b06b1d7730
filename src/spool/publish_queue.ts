/** A job's place in the publishing order, handed out by a {@link PublishQueue}. */
export interface PublishTicket {
  /**
   * Runs `rename` (the job's move into the spool) once the job before is in place, or never
   * will be, and then lets the job after go, whether `rename` succeeded or not.
   */
  publish<T>(rename: () => Promise<T>): Promise<T>;
}

/**
 * Jobs built side by side but published in the order their work was queued: each job's rename
 * waits for the one before (only its rename: everything else runs side by side). The queue is
 * the one owner of letting the next job go: a ticket lets it go right after its rename, and
 * `run` lets it go once the work settles, whatever its outcome (a job, no job, an error), so
 * the next job never waits for a message that makes none.
 */
export class PublishQueue {
  #last: Promise<void> = Promise.resolve();

  /** Queues `work` behind the work queued before it and runs it at once with its ticket. */
  async run<T>(work: (ticket: PublishTicket) => Promise<T>): Promise<T> {
    const ticket = new Ticket(this.#last);
    this.#last = ticket.released;
    try {
      return await work(ticket);
    } finally {
      ticket.release();
    }
  }
}

class Ticket implements PublishTicket {
  readonly #after: Promise<void>;
  /** Settles once this job is in place, or never will be. */
  readonly released: Promise<void>;
  #release = (): void => undefined;

  constructor(after: Promise<void>) {
    this.#after = after;
    this.released = new Promise<void>((resolve) => {
      this.#release = resolve;
    });
  }

  async publish<T>(rename: () => Promise<T>): Promise<T> {
    await this.#after;
    try {
      return await rename();
    } finally {
      this.release();
    }
  }

  /** Lets the job after go; once is enough, more does nothing. */
  release(): void {
    this.#release();
  }
}
