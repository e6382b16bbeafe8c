package ai.candlefish.collab.benchmarks.load;

import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.core.YText;
import java.util.SplittableRandom;

/**
 * A large document for the clients to join: the text {@link LoadClient#TEXT} written by a few authors with phrases
 * inserted and ranges deleted at random places, so that its state is many items and deletions, as a long-edited
 * document's is, rather than one long string.
 */
final class InitialDocument {
  private static final int AUTHORS = 4;
  private static final int EDITS_PER_TRANSACTION = 2000;
  private static final String LETTERS = "abcdefghijklmnopqrstuvwxyz";

  private InitialDocument() {}

  /** A Yjs v1 update of a document whose encoded state is at least {@code bytes} long. */
  static byte[] ofSize(long bytes, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    Doc document = Doc.newBuilder().clientId(1).build();
    Doc[] authors = new Doc[AUTHORS];
    for (int a = 0; a < AUTHORS; a++) {
      authors[a] = Doc.newBuilder().clientId(100 + a).build();
    }
    byte[] state = document.encodeStateAsUpdate();
    long estimate = state.length;
    while (state.length < bytes) {
      // Each author edits its up-to-date copy, then everyone takes everyone's changes: interleaved items by several
      // clients, as in a shared document.
      for (Doc author : authors) {
        author.applyUpdate(document.encodeStateAsUpdate(author.encodeStateVector()));
        byte[] before = author.encodeStateVector();
        author.transact(txn -> edit(author.getText(LoadClient.TEXT), random));
        byte[] change = author.encodeStateAsUpdate(before);
        document.applyUpdate(change);
        estimate += change.length;
      }
      if (estimate >= bytes) { // the whole state is encoded only when the changes' sizes say it may be enough
        state = document.encodeStateAsUpdate();
        estimate = state.length;
      }
    }
    return state;
  }

  private static void edit(YText text, SplittableRandom random) {
    for (int i = 0; i < EDITS_PER_TRANSACTION; i++) {
      int length = text.length();
      if (length > 100 && random.nextInt(10) == 0) {
        int at = random.nextInt(length - 10);
        text.delete(at, 1 + random.nextInt(10));
      } else {
        StringBuilder phrase = new StringBuilder();
        for (int n = 10 + random.nextInt(50); n > 0; n--) {
          phrase.append(random.nextInt(6) == 0 ? ' ' : LETTERS.charAt(random.nextInt(LETTERS.length())));
        }
        text.insert(random.nextInt(length + 1), phrase.toString());
      }
    }
  }
}
