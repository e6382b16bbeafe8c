package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * When a {@link StructList} keeps its clocks: across transactions of a few edits each (a document edited a keystroke
 * at a time searches its lists all the time), but not after a transaction that wrote at least half of a list's
 * clocks (a loaded document keeps none: that is what its retained heap is measured on).
 */
class StructListTest {
  /** Edits at random positions, one transaction each, with deletes (their cleanup searches the lists). */
  private static void edit(Doc doc, int edits) {
    SplittableRandom rnd = new SplittableRandom(7);
    YText text = doc.getText("text");
    for (int i = 0; i < edits; i++) {
      int length = text.length();
      if (length > 10 && rnd.nextInt(3) == 0) {
        text.delete(rnd.nextInt(length - 5), 1 + rnd.nextInt(4));
      } else {
        text.insert(rnd.nextInt(length + 1), "ab");
      }
    }
  }

  @Test
  void dropClocks_keptAcrossSmallTransactions() {
    Doc doc = Doc.create();
    edit(doc, 3000);
    StructList list = doc.store.list(doc.clientId());
    assertThat(list.size).isGreaterThan(StructList.SEARCHES_BEFORE_CLOCKS);
    assertThat(list.hasClocks()).as("clocks kept across one-edit transactions").isTrue();
  }

  @Test
  void dropClocks_loadedDocumentKeepsNone() {
    Doc edited = Doc.create();
    edit(edited, 3000);
    Doc loaded = Doc.create();
    loaded.applyUpdate(edited.encodeStateAsUpdate());
    assertThat(loaded.getText("text").toString()).isEqualTo(edited.getText("text").toString());
    assertThat(loaded.store.list(edited.clientId()).hasClocks()).as("clocks after a load").isFalse();
  }

  @Test
  void dropClocks_afterTransactionWritingMostOfTheList() {
    Doc doc = Doc.create();
    edit(doc, 3000);
    StructList list = doc.store.list(doc.clientId());
    assertThat(list.hasClocks()).isTrue();
    int state = list.state();
    doc.getText("text").insert(0, "x".repeat(state + 1));
    assertThat(list.hasClocks()).as("clocks after a transaction that wrote over half of the clocks").isFalse();
  }
}
