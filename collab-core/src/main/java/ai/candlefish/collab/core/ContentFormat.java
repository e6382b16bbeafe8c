package ai.candlefish.collab.core;

import java.util.List;

/** A formatting mark in text: from here on, attribute {@code key} has {@code value} ({@code null} ends it). */
final class ContentFormat extends Content {
  final String key;
  final Object value;

  ContentFormat(String key, Object value) {
    this.key = key;
    this.value = value;
  }

  @Override
  int length() {
    return 1;
  }

  @Override
  boolean isCountable() {
    return false;
  }

  @Override
  void collect(List<Object> out) {}

  @Override
  Content copy() {
    return new ContentFormat(key, value);
  }

  @Override
  void integrate(Transaction txn, Item item) {
    if (item.parent instanceof SharedType type) {
      // Search markers do not account for formats (as in Yjs): formatted text is searched from the start.
      type.searchMarkers = null;
      type.hasFormatting = true;
      type.containsFormats = true;
    }
  }

  @Override
  void write(UpdateEncoder encoder, int offset) {
    encoder.writeKey(key);
    encoder.writeJson(value);
  }

  @Override
  int ref() {
    return FORMAT;
  }
}
