package ai.candlefish.collab.core;

import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A listener list that listeners may add to or remove from while it is being called. Thread-safe: changes are
 * synchronized and calls read a copy-on-write list; that list is created by the first {@link #add}, because a
 * document has ten of these and most stay empty (72 bytes each when allocated up front).
 */
final class Listeners<L> {
  private volatile CopyOnWriteArrayList<L> list;

  /** Adds at the end of the current list (in place, so a {@link #forEachLive} round under way sees it). */
  synchronized Subscription add(L listener) {
    CopyOnWriteArrayList<L> l = list;
    if (l == null) {
      l = new CopyOnWriteArrayList<>();
      list = l;
    }
    l.add(listener);
    return () -> remove(listener);
  }

  /**
   * Removes {@code listener} by replacing the list, never by changing it (as Yjs replaces a type's listener array):
   * a round of {@link #forEachLive} that is under way still calls it.
   */
  private synchronized void remove(L listener) {
    CopyOnWriteArrayList<L> l = list;
    if (l != null && l.contains(listener)) {
      CopyOnWriteArrayList<L> next = new CopyOnWriteArrayList<>(l);
      next.remove(listener);
      list = next;
    }
  }

  synchronized void clear() {
    if (list != null) {
      list = new CopyOnWriteArrayList<>();
    }
  }

  boolean isEmpty() {
    CopyOnWriteArrayList<L> l = list;
    return l == null || l.isEmpty();
  }

  int size() {
    CopyOnWriteArrayList<L> l = list;
    return l == null ? 0 : l.size();
  }

  /**
   * The listener, when there is exactly one, else null: a hot caller can call it directly instead of handing
   * {@link #forEach} a lambda that captures its arguments (an allocation per call).
   */
  L only() {
    CopyOnWriteArrayList<L> l = list;
    if (l == null || l.size() != 1) {
      return null;
    }
    try {
      return l.get(0); // (toArray() would be a snapshot, and an allocation)
    } catch (IndexOutOfBoundsException removedMeanwhile) {
      return null;
    }
  }

  /**
   * Calls every listener; if some throw, the others still run and the first failure is rethrown at the end
   * (later ones are attached as suppressed). {@code Error}s are contained the same way (an observer that walks a
   * hostile document may overflow its stack), except the fatal ones ({@link #rethrowIfFatal}).
   */
  void forEach(Consumer<L> call) {
    CopyOnWriteArrayList<L> listeners = list;
    if (listeners == null) {
      return;
    }
    Throwable failure = null;
    for (L l : listeners) {
      try {
        call.accept(l);
      } catch (RuntimeException | Error e) {
        failure = addFailure(failure, e);
      }
    }
    throwIfAny(failure);
  }

  /**
   * Like {@link #forEach}, but as Yjs calls a shared type's observers (lib0's {@code callAll} over the live array):
   * a listener added by one that is being called is called in this round too, unless a listener was removed before
   * (a removal replaces the list; this round goes on with the old one, removed listeners included).
   */
  void forEachLive(Consumer<L> call) {
    CopyOnWriteArrayList<L> listeners = list;
    if (listeners == null) {
      return;
    }
    Throwable failure = null;
    // Indexed: the list only ever grows in place (removal replaces it), so a listener added meanwhile is seen.
    for (int i = 0; i < listeners.size(); i++) {
      try {
        call.accept(listeners.get(i));
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
