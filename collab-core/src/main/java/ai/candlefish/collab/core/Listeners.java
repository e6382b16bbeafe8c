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
   * (later ones are attached as suppressed).
   */
  void forEach(Consumer<L> call) {
    RuntimeException failure = null;
    for (L l : list) {
      try {
        call.accept(l);
      } catch (RuntimeException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
