package ai.candlefish.collab.core;

import java.util.ArrayList;
import java.util.List;

/** A run of JSON-like values (lib0 {@code any} encoding), the content of arrays and maps. */
final class ContentAny extends Content {
  ArrayList<Object> values;

  ContentAny(ArrayList<Object> values) {
    this.values = values;
  }

  @Override
  int length() {
    return values.size();
  }

  @Override
  boolean isCountable() {
    return true;
  }

  @Override
  void collect(List<Object> out) {
    out.addAll(values);
  }

  @Override
  Content copy() {
    return new ContentAny(new ArrayList<>(values));
  }

  @Override
  Content splice(int offset) {
    ArrayList<Object> right = new ArrayList<>(values.subList(offset, values.size()));
    values = new ArrayList<>(values.subList(0, offset));
    return new ContentAny(right);
  }

  @Override
  boolean mergeWith(Content right) {
    values.addAll(((ContentAny) right).values);
    return true;
  }

  @Override
  void write(UpdateEncoder encoder, int offset) {
    int len = values.size();
    encoder.writeLen(len - offset);
    for (int i = offset; i < len; i++) {
      encoder.writeAny(values.get(i));
    }
  }

  @Override
  int ref() {
    return ANY;
  }
}
