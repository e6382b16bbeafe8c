package ai.candlefish.collab.benchmarks;

import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.core.YText;

/** The measured work, shared by the JMH benchmark and the side-by-side {@link TraceReplay}. */
public final class Replays {
  private Replays() {}

  /** Replays with one document transaction per trace transaction; returns the total bytes of all updates. */
  public static long replayPerTransaction(Trace trace, Doc doc) {
    long[] bytes = {0};
    doc.onUpdate((update, origin, txn) -> bytes[0] += update.length);
    YText text = doc.getText("text");
    for (Trace.Edit[] edits : trace.txns()) {
      doc.transact(txn -> apply(text, edits));
    }
    return bytes[0];
  }

  /** Replays the whole trace in one transaction. */
  public static void replayOneTransaction(Trace trace, Doc doc) {
    YText text = doc.getText("text");
    doc.transact(txn -> {
      for (Trace.Edit[] edits : trace.txns()) {
        apply(text, edits);
      }
    });
  }

  private static void apply(YText text, Trace.Edit[] edits) {
    for (Trace.Edit e : edits) {
      if (e.deleteLength() > 0) {
        text.delete(e.index(), e.deleteLength());
      }
      if (!e.insert().isEmpty()) {
        text.insert(e.index(), e.insert());
      }
    }
  }

  /** Throws unless the document holds the trace's end content. */
  public static void check(Trace trace, Doc doc) {
    if (trace.endContent() != null && !doc.getText("text").toString().equals(trace.endContent())) {
      throw new IllegalStateException(trace.name() + ": the replay did not reach the trace's end content");
    }
  }
}
