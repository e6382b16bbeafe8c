package ai.candlefish.collab.core;

/** A gap in an update's clock range (only in merged or pending updates); never integrated. */
final class Skip extends AbstractStruct {
  static final int REF = 10;

  Skip(long client, int clock, int length) {
    super(client, clock, length);
  }

  @Override
  boolean isDeleted() {
    return true;
  }

  @Override
  boolean mergeWith(AbstractStruct right) {
    if (right.getClass() != Skip.class) {
      return false;
    }
    length += right.length;
    return true;
  }

  @Override
  void write(UpdateEncoder encoder, int offset) {
    encoder.writeInfo(REF);
    encoder.writeVarUint(length - offset);
  }

  @Override
  void integrate(Transaction txn, int offset) {
    throw new IllegalStateException("a Skip struct is never integrated");
  }
}
