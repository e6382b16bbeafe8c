package ai.candlefish.collab.core;

import ai.candlefish.collab.core.internal.codec.Json;
import java.util.ArrayList;
import java.util.List;

/** Legacy JSON content (each value as a JSON string); Yjs still reads and writes it, so we do too. */
final class ContentJson extends Content {
  ArrayList<Object> values;

  ContentJson(ArrayList<Object> values) {
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
    return new ContentJson(new ArrayList<>(values));
  }

  @Override
  Content splice(int offset) {
    ArrayList<Object> right = new ArrayList<>(values.subList(offset, values.size()));
    values = new ArrayList<>(values.subList(0, offset));
    return new ContentJson(right);
  }

  @Override
  boolean mergeWith(Content right) {
    values.addAll(((ContentJson) right).values);
    return true;
  }

  @Override
  void write(UpdateEncoder encoder, int offset) {
    int len = values.size();
    encoder.writeLen(len - offset);
    for (int i = offset; i < len; i++) {
      Object v = values.get(i);
      encoder.writeString(v == Undefined.INSTANCE ? "undefined" : Json.stringify(v));
    }
  }

  @Override
  int ref() {
    return JSON;
  }
}
