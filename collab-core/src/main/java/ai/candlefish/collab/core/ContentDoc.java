package ai.candlefish.collab.core;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A subdocument: its guid and options (Yjs {@code ContentDoc}). The subdocument's own content travels separately
 * (Yjs loads subdocuments through their own providers); the parent only holds the reference, and reports
 * subdocuments added, removed and loaded in its transactions (see {@link Doc#onSubdocs}).
 */
final class ContentDoc extends Content {
  /** Replaced by a fresh, unloaded instance when the subdocument is destroyed (as Yjs does). */
  Doc doc;
  final Map<String, Object> opts;

  ContentDoc(Doc doc, Map<String, Object> opts) {
    this.doc = doc;
    this.opts = opts;
  }

  /**
   * The content for inserting {@code doc} into a type: its options are those Yjs writes ({@code gc: false},
   * {@code autoLoad: true}, {@code meta}, each only when set). A document that already is a subdocument is
   * inserted again as Yjs does (the clone of a type holding one holds the same instance): it then belongs to the
   * new place ({@link Doc#parentDoc()}), and deleting either place removes it from the parent's subdocuments.
   */
  static ContentDoc of(Doc doc) {
    Map<String, Object> opts = new LinkedHashMap<>();
    if (!doc.isGc()) {
      opts.put("gc", false);
    }
    if (doc.autoLoad()) {
      opts.put("autoLoad", true);
    }
    if (doc.meta() != null) {
      opts.put("meta", doc.meta());
    }
    return new ContentDoc(doc, opts);
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
    return of(Doc.subdocument(doc.guid(), opts));
  }

  @Override
  void integrate(Transaction txn, Item item) {
    doc.item = item;
    txn.subdocsAdded().add(doc);
    if (doc.shouldLoad()) {
      txn.subdocsLoaded().add(doc);
    }
  }

  @Override
  void delete(Transaction txn) {
    if (txn.subdocsAdded != null && txn.subdocsAdded.contains(doc)) {
      txn.subdocsAdded.remove(doc);
    } else {
      txn.subdocsRemoved().add(doc);
    }
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
