package ai.candlefish.collab.core;

import java.util.List;
import java.util.Map;

/**
 * A subdocument reference: its guid and options. The subdocument's own content travels separately (Yjs loads
 * subdocuments through their own providers); we keep the reference intact so relaying never damages it.
 */
final class ContentDoc extends Content {
  final Doc doc;
  final Map<String, Object> opts;

  ContentDoc(Doc doc, Map<String, Object> opts) {
    this.doc = doc;
    this.opts = opts;
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
    out.add(doc);
  }

  @Override
  Content copy() {
    return new ContentDoc(Doc.subdocument(doc.guid(), opts), opts);
  }

  @Override
  void write(UpdateEncoder encoder, int offset) {
    encoder.writeString(doc.guid());
    encoder.writeAny(opts);
  }

  @Override
  int ref() {
    return DOC;
  }
}
