package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Yjs 13.6's own relative position tests ({@code tests/relativePositions.tests.js} at v13.6.31), ported with their
 * expected values. Each method names the Yjs test.
 */
class YjsRelativePositionSuiteTest {
  /** Every index with every association survives encoding and resolves to itself. */
  private static void checkRelativePositions(YText ytext) {
    for (int i = 0; i < ytext.length(); i++) {
      for (int assoc = -1; assoc < 2; assoc++) {
        RelativePosition rpos = RelativePosition.fromTypeIndex(ytext, i, assoc);
        RelativePosition decoded = RelativePosition.decode(rpos.encode());
        AbsolutePosition abs = decoded.toAbsolute(ytext.doc());
        assertThat(abs).isNotNull();
        assertThat(abs.index()).as("index of %s/%s", i, assoc).isEqualTo(i);
        assertThat(abs.assoc()).as("assoc of %s/%s", i, assoc).isEqualTo(assoc);
      }
    }
  }

  @Test
  void testRelativePositionCase1() {
    YText ytext = Doc.create().getText("");
    ytext.insert(0, "1");
    ytext.insert(0, "abc");
    ytext.insert(0, "z");
    ytext.insert(0, "y");
    ytext.insert(0, "x");
    checkRelativePositions(ytext);
  }

  @Test
  void testRelativePositionCase2() {
    YText ytext = Doc.create().getText("");
    ytext.insert(0, "abc");
    checkRelativePositions(ytext);
  }

  @Test
  void testRelativePositionCase3() {
    YText ytext = Doc.create().getText("");
    ytext.insert(0, "abc");
    ytext.insert(0, "1");
    ytext.insert(0, "xyz");
    checkRelativePositions(ytext);
  }

  @Test
  void testRelativePositionCase4() {
    YText ytext = Doc.create().getText("");
    ytext.insert(0, "1");
    checkRelativePositions(ytext);
  }

  @Test
  void testRelativePositionCase5() {
    YText ytext = Doc.create().getText("");
    ytext.insert(0, "2");
    ytext.insert(0, "1");
    checkRelativePositions(ytext);
  }

  @Test
  void testRelativePositionCase6() {
    checkRelativePositions(Doc.create().getText(""));
  }

  @Test
  void testRelativePositionCase7() {
    Doc docA = Doc.create();
    YText textA = docA.getText("text");
    textA.insert(0, "abcde");
    RelativePosition rpos = RelativePosition.fromTypeIndex(textA, 2);
    assertThat(rpos.toAbsolute(docA, true).index()).isEqualTo(2);
    assertThat(rpos.toAbsolute(docA, false).index()).isEqualTo(2);
  }

  @Test
  void testRelativePositionAssociationDifference() {
    Doc ydoc = Doc.create();
    YText ytext = ydoc.getText("");
    ytext.insert(0, "2");
    ytext.insert(0, "1");
    RelativePosition rposRight = RelativePosition.fromTypeIndex(ytext, 1, 0);
    RelativePosition rposLeft = RelativePosition.fromTypeIndex(ytext, 1, -1);
    ytext.insert(1, "x");
    assertThat(rposRight.toAbsolute(ydoc).index()).isEqualTo(2);
    assertThat(rposLeft.toAbsolute(ydoc).index()).isEqualTo(1);
  }

  @Test
  void testRelativePositionWithUndo() {
    Doc ydoc = Doc.create();
    YText ytext = ydoc.getText("");
    ytext.insert(0, "hello world");
    RelativePosition rpos = RelativePosition.fromTypeIndex(ytext, 1);
    UndoManager um = UndoManager.newBuilder(ytext).build();
    ytext.delete(0, 6);
    assertThat(rpos.toAbsolute(ydoc).index()).isEqualTo(0);
    um.undo();
    assertThat(rpos.toAbsolute(ydoc).index()).isEqualTo(1);
    assertThat(rpos.toAbsolute(ydoc, false).index()).isEqualTo(6);
    Doc clone = Doc.create();
    clone.applyUpdate(ydoc.encodeStateAsUpdate());
    assertThat(rpos.toAbsolute(clone).index()).isEqualTo(6);
    assertThat(rpos.toAbsolute(clone, false).index()).isEqualTo(6);
  }
}
