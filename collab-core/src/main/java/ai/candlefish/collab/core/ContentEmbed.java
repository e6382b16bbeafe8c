package ai.candlefish.collab.core;

import java.util.List;

/** An embedded JSON object in text (an image, a mention…), one position long. */
final class ContentEmbed extends Content {
  final Object embed;

  ContentEmbed(Object embed) {
    this.embed = embed;
  }

  /** The embed as a delta's insert: {@link Delta#NULL_EMBED} for JSON null. */
  Object deltaInsert() {
    return embed == null ? Delta.NULL_EMBED : embed;
  }

  @Override
  int length() {
    return 1;
  }

  @Override
  boolean isCountable() {
    return true;
  }

  @Override
  void collect(List<Object> out) {
    out.add(embed);
  }

  @Override
  Content copy() {
    return new ContentEmbed(embed);
  }

  @Override
  void write(UpdateEncoder encoder, int offset) {
    encoder.writeJson(embed);
  }

  @Override
  int ref() {
    return EMBED;
  }
}
