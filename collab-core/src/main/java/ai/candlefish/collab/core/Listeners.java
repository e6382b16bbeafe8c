package ai.candlefish.collab.core;

import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** A listener list that listeners may add to or remove from while it is being called. */
final class Listeners<L> {
  private final CopyOnWriteArrayList<L> list = new CopyOnWriteArrayList<>();

  Subscription add(L listener) {
    list.add(listener);
    return () -> list.remove(listener);
  }

  void clear() {
    list.clear();
  }

  boolean isEmpty() {
    return list.isEmpty();
  }

  int size() {
    return list.size();
  }

  /**
   * Calls every listener; if some throw, the others still run and the first failure is rethrown at the end
   * (later ones are attached as suppressed). {@code Error}s are contained the same way (an observer that walks a
   * hostile document may overflow its stack), except the fatal ones ({@link #rethrowIfFatal}).
   */
  void forEach(Consumer<L> call) {
    Throwable failure = null;
    for (L l : list) {
      try {
        call.accept(l);
      } catch (RuntimeException | Error e) {
        failure = addFailure(failure, e);
      }
    }
    throwIfAny(failure);
  }

  /**
   * Rethrows {@code failure} at once if the process cannot go on after it: a {@link VirtualMachineError} other than
   * a {@link StackOverflowError} (which leaves the thread usable once unwound). Anything else is contained by the
   * caller, so that one failing listener does not stop the others or leave a document half processed.
   */
  static void rethrowIfFatal(Throwable failure) {
    if (failure instanceof VirtualMachineError fatal && !(fatal instanceof StackOverflowError)) {
      throw fatal;
    }
  }

  /** {@code failure}, or {@code e} if it is the first; later failures are attached as suppressed. */
  static Throwable addFailure(Throwable failure, Throwable e) {
    rethrowIfFatal(e);
    if (failure == null) {
      return e;
    }
    failure.addSuppressed(e);
    return failure;
  }

  /** Throws {@code failure} (a RuntimeException or an Error: listeners throw no checked exceptions) if not null. */
  static void throwIfAny(Throwable failure) {
    if (failure instanceof RuntimeException e) {
      throw e;
    }
    if (failure instanceof Error e) {
      throw e;
    }
    if (failure != null) {
      throw new IllegalStateException(failure);
    }
  }
}
