package ai.candlefish.collab.core;

import java.util.List;

/**
 * What an {@link Item} holds. The eleven wire kinds are numbered by {@link #ref()} (Yjs content refs 1–9; 0 is
 * {@link GC} and 10 is {@link Skip}). Contents whose items are split or merged implement {@link #splice} and
 * {@link #mergeWith}.
 */
abstract class Content {
  static final int DELETED = 1;
  static final int JSON = 2;
  static final int BINARY = 3;
  static final int STRING = 4;
  static final int EMBED = 5;
  static final int FORMAT = 6;
  static final int TYPE = 7;
  static final int ANY = 8;
  static final int DOC = 9;

  abstract int length();

  /** Whether the content counts towards its parent's length (formats and deleted content do not). */
  abstract boolean isCountable();

  /** Adds the user-visible values of this content to {@code out}. */
  abstract void collect(List<Object> out);

  abstract Content copy();

  /** Keeps the first {@code offset} units in this content and returns the rest. */
  Content splice(int offset) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot be split");
  }

  boolean mergeWith(Content right) {
    return false;
  }

  /** This content, or a copy of it if this one is shared and must not change ({@link ContentString#of}). */
  Content mutable() {
    return this;
  }

  void integrate(Transaction txn, Item item) {}

  void delete(Transaction txn) {}

  void gc(StructStore store) {}

  abstract void write(UpdateEncoder encoder, int offset);

  abstract int ref();
}
