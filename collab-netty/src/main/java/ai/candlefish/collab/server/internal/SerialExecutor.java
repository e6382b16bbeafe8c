package ai.candlefish.collab.server.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Runs tasks one at a time, in submission order, on a shared pool: what makes one document single-threaded without
 * giving it a thread. A drain runs at most {@value #BATCH} tasks and then yields the pool thread, so a busy
 * document cannot starve the others.
 *
 * <p>An executor can start paused, or be paused by one of its tasks: tasks queue up until {@link #resume(Runnable)},
 * which runs its argument before them. A document uses this to hold every client message until its stored state is
 * loaded, and in a cluster while the store says who owns a new client id.
 *
 * <p>A task can also {@link #handOff hand} this executor to another thread for one piece of work that may block (a
 * document's hook, where the document runs on an event loop): nothing else of this executor runs meanwhile, so the
 * work may touch what its tasks own, and the executor's thread is free for others.
 *
 * <p>When the pool is shut down, queued tasks are dropped; those that are {@link Rejectable} hear about it (a host
 * call completes its future exceptionally rather than never).
 *
 * <p>Thread-safe. A task that throws is logged and the next one runs.
 */
public final class SerialExecutor implements Executor {
  /** A task that wants to know when it will never run. */
  public interface Rejectable extends Runnable {
    /** Called instead of {@link #run()} when the pool is shut down. */
    void rejected();
  }

  private static final Logger log = LoggerFactory.getLogger(SerialExecutor.class);
  static final int BATCH = 64;

  private final Executor pool;
  private final String name;
  /** MDC entries set while this executor's tasks run. */
  private final Map<String, String> logContext;
  private final ConcurrentLinkedDeque<Runnable> tasks = new ConcurrentLinkedDeque<>();
  private final AtomicBoolean scheduled = new AtomicBoolean();
  private volatile boolean paused;
  /** Set by the running task ({@link #handOff}), taken by its drain when the task returns. */
  private HandOff handOff;

  private record HandOff(Executor executor, Runnable work, Runnable then) {}

  /**
   * @param pool the pool to run on
   * @param name for log messages
   * @param paused whether tasks wait for {@link #resume(Runnable)}
   */
  public SerialExecutor(Executor pool, String name, boolean paused) {
    this(pool, name, paused, Map.of());
  }

  /** @param logContext MDC entries for every log line its tasks write (see {@code LogContext}) */
  public SerialExecutor(Executor pool, String name, boolean paused, Map<String, String> logContext) {
    this.pool = pool;
    this.name = name;
    this.paused = paused;
    this.logContext = Map.copyOf(logContext);
  }

  @Override
  public void execute(Runnable task) {
    tasks.addLast(task);
    schedule();
  }

  /**
   * Holds every task after the one running now until {@link #resume(Runnable)}. Call it from a task of this executor
   * (the document waits for an answer from another thread).
   */
  public void pause() {
    paused = true;
  }

  /**
   * Runs {@code first} and then the queued tasks.
   *
   * @throws IllegalStateException if the executor is not paused
   */
  public void resume(Runnable first) {
    if (!paused) {
      throw new IllegalStateException(name + " is not paused");
    }
    // No drain runs while paused, so nothing can overtake the task put at the head here.
    tasks.addFirst(first);
    paused = false;
    schedule();
  }

  /**
   * Once the running task returns, runs {@code work} on {@code executor} and then {@code then} on this executor
   * before anything queued; no other task of this executor runs in between, so {@code work} may use what the tasks
   * own (it is handed over, with a happens-before edge each way). If {@code executor} refuses the work (it is shut
   * down), both run on this executor's thread. Call it from a task of this executor, at most once per task, and not
   * in a task that {@link #pause pauses}.
   *
   * @throws IllegalStateException if the running task handed off already
   */
  public void handOff(Executor executor, Runnable work, Runnable then) {
    if (handOff != null) {
      throw new IllegalStateException(name + ": one hand-off per task");
    }
    handOff = new HandOff(executor, work, then);
  }

  private void schedule() {
    if (!paused && !tasks.isEmpty() && scheduled.compareAndSet(false, true)) {
      try {
        pool.execute(this::drain);
      } catch (RejectedExecutionException e) {
        scheduled.set(false);
        log.debug("{}: {} tasks dropped, the pool is shut down", name, tasks.size());
        for (Runnable task; (task = tasks.pollFirst()) != null; ) {
          if (task instanceof Rejectable r) {
            r.rejected();
          }
        }
      }
    }
  }

  private void drain() {
    logContext.forEach(MDC::put);
    HandOff away = null;
    try {
      for (int i = 0; i < BATCH && !paused; i++) {
        Runnable task = tasks.pollFirst();
        if (task == null) {
          break;
        }
        run(task);
        if (handOff != null) {
          away = handOff;
          handOff = null;
          break;
        }
      }
    } finally {
      logContext.keySet().forEach(MDC::remove);
      if (away == null) {
        scheduled.set(false);
        // A task submitted while this drain was finishing found `scheduled` set and left the scheduling to us.
        schedule();
      }
    }
    if (away != null) {
      handOver(away);
    }
  }

  /** Runs a hand-off's work elsewhere; {@code scheduled} stays set until its {@code then} is queued first. */
  private void handOver(HandOff away) {
    Rejectable work = new Rejectable() {
      @Override
      public void run() {
        // Restored after, not removed: the other side may be a serial executor with the same entries (a document's
        // hook lane), whose next tasks must still see them.
        Map<String, String> before = MDC.getCopyOfContextMap();
        logContext.forEach(MDC::put);
        try {
          SerialExecutor.this.run(away.work());
        } finally {
          if (before == null) {
            MDC.clear();
          } else {
            MDC.setContextMap(before);
          }
        }
        // Still ours (`scheduled` is set): no drain runs, so nothing can overtake the task put at the head here.
        tasks.addFirst(away.then());
        scheduled.set(false);
        schedule();
      }

      @Override
      public void rejected() {
        run(); // the other side is shut down (the server closes): here, rather than never
      }
    };
    try {
      away.executor().execute(work);
    } catch (RejectedExecutionException e) {
      work.rejected();
    }
  }

  private void run(Runnable task) {
    try {
      task.run();
    } catch (RuntimeException | Error e) {
      log.error("{}: a task failed", name, e);
    }
  }

  @Override
  public String toString() {
    return "SerialExecutor[" + name + ", " + tasks.size() + " queued" + (paused ? ", paused" : "") + "]";
  }
}
