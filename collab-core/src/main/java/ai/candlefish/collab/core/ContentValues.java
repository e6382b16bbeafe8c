package ai.candlefish.collab.core;

import java.util.ArrayList;
import java.util.List;

/** A run of values that can be split and merged: the common part of {@link ContentAny} and {@link ContentJson}. */
abstract class ContentValues extends Content {
  ArrayList<Object> values;

  ContentValues(ArrayList<Object> values) {
    this.values = values;
  }

  /** A content of the same kind holding {@code values}. */
  abstract ContentValues with(ArrayList<Object> values);

  /** Writes the value at {@code i} (after the length). */
  abstract void writeValue(UpdateEncoder encoder, Object value);

  @Override
  final int length() {
    return values.size();
  }

  @Override
  final boolean isCountable() {
    return true;
  }

  @Override
  final void collect(List<Object> out) {
    out.addAll(values);
  }

  @Override
  final Content copy() {
    return with(new ArrayList<>(values));
  }

  @Override
  final Content splice(int offset) {
    ArrayList<Object> right = new ArrayList<>(values.subList(offset, values.size()));
    values = new ArrayList<>(values.subList(0, offset));
    return with(right);
  }

  @Override
  final boolean mergeWith(Content right) {
    values.addAll(((ContentValues) right).values);
    return true;
  }

  @Override
  final void write(UpdateEncoder encoder, int offset) {
    int len = values.size();
    encoder.writeLen(len - offset);
    for (int i = offset; i < len; i++) {
      writeValue(encoder, values.get(i));
    }
  }
}
