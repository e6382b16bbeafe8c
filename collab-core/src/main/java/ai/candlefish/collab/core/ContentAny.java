package ai.candlefish.collab.core;

import ai.candlefish.collab.core.internal.codec.Lib0Decoder;
import java.util.List;

/**
 * A run of JSON-like values (lib0 {@code any} encoding), the content of arrays and maps; runs of numbers are kept
 * in primitive arrays (see {@link ContentValues}) and written from them without boxing.
 */
final class ContentAny extends ContentValues {
  ContentAny(List<?> values) {
    super(values);
  }

  private ContentAny(Object array, int size) {
    super(array, size);
  }

  /** Reads {@code len} values; integers go straight into an {@code int[]} while every value is one. */
  static ContentAny read(Lib0Decoder in, int len) {
    int[] ints = null;
    int n = 0;
    for (long v; n < len && (v = in.readAnyInt()) != Lib0Decoder.NOT_AN_INT; n++) {
      if (ints == null) {
        ints = new int[len];
      }
      ints[n] = (int) v;
    }
    if (n == len) {
      return new ContentAny(ints == null ? new int[0] : ints, len);
    }
    Object[] values = new Object[len];
    for (int i = 0; i < n; i++) {
      values[i] = ints[i];
    }
    for (int i = n; i < len; i++) {
      values[i] = in.readAny();
    }
    return new ContentAny(narrowest(values, len), len);
  }

  @Override
  ContentValues with(Object array, int size) {
    return new ContentAny(array, size);
  }

  @Override
  void write(UpdateEncoder encoder, int offset) {
    int[] ints = ints();
    double[] doubles = doubles();
    if (ints == null && doubles == null) {
      super.write(encoder, offset);
      return;
    }
    int len = length();
    encoder.writeLen(len - offset);
    if (ints != null) {
      for (int i = offset; i < len; i++) {
        encoder.rest.writeAnyInt(ints[i]);
      }
    } else {
      for (int i = offset; i < len; i++) {
        encoder.rest.writeAnyDouble(doubles[i]);
      }
    }
  }

  @Override
  void writeValue(UpdateEncoder encoder, Object value) {
    encoder.writeAny(value);
  }

  @Override
  int ref() {
    return ANY;
  }
}
