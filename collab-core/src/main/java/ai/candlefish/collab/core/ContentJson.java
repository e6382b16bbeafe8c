package ai.candlefish.collab.core;

import ai.candlefish.collab.core.internal.codec.Json;
import java.util.List;

/** Legacy JSON content (each value as a JSON string); Yjs still reads and writes it, so we do too. */
final class ContentJson extends ContentValues {
  ContentJson(List<?> values) {
    super(values);
  }

  private ContentJson(Object array, int size) {
    super(array, size);
  }

  @Override
  ContentValues with(Object array, int size) {
    return new ContentJson(array, size);
  }

  @Override
  void writeValue(UpdateEncoder encoder, Object value) {
    encoder.writeString(value == Undefined.INSTANCE ? "undefined" : Json.stringify(value));
  }

  @Override
  int ref() {
    return JSON;
  }
}
