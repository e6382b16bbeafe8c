package ai.candlefish.collab.core;

/** Garbage-collected content: only the clock range survives, so that other structs can still refer to it. */
final class GC extends AbstractStruct {
  static final int REF = 0;

  GC(long client, int clock, int length) {
    super(client, clock, length);
  }

  @Override
  boolean isDeleted() {
    return true;
  }

  @Override
  boolean mergeWith(AbstractStruct right) {
    if (right.getClass() != GC.class) {
      return false;
    }
    length += right.length;
    return true;
  }

  @Override
  void write(UpdateEncoder encoder, int offset) {
    encoder.writeInfo(REF);
    encoder.writeLen(length - offset);
  }

  @Override
  void integrate(Transaction txn, int offset) {
    if (offset > 0) {
      clock += offset;
      length -= offset;
    }
    txn.doc.store.addStruct(txn, this);
  }
}
