package ai.candlefish.collab.examples.paintbox;

import static org.assertj.core.api.Assertions.assertThat;

import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.core.Snapshot;
import ai.candlefish.collab.core.YArray;
import ai.candlefish.collab.core.YMap;
import ai.candlefish.collab.core.YText;
import ai.candlefish.collab.core.YXmlText;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EstimateContentTest {
  private static YMap room(Doc doc, int index) {
    return (YMap) doc.getArray("rooms").get(index);
  }

  private static YMap surface(Doc doc, int room, int index) {
    return (YMap) ((YArray) room(doc, room).get("surfaces")).get(index);
  }

  /** The notes as Lexical keeps them: the root text holds one Y.XmlText per paragraph. */
  private static void addParagraph(Doc doc, String text) {
    doc.transact(txn -> {
      YXmlText paragraph = new YXmlText();
      doc.getText("root").insertEmbed(doc.getText("root").length(), paragraph);
      paragraph.insertEmbed(0, new YMap()); // Lexical's text node properties, before its text
      paragraph.insert(1, text);
    });
  }

  @Test
  void read_atASnapshot_seesTheEstimateAsItWasThen_withItsTotals() {
    Doc doc = Doc.newBuilder().gc(false).build();
    EstimateTotalsTest.addRoom(doc, "living", new Object[] {20, 2, 4.5});
    addParagraph(doc, "Back door.");
    Snapshot then = Snapshot.of(doc);
    room(doc, 0).set("name", "Lounge");
    surface(doc, 0, 0).set("area", 30);
    doc.getArray("rooms").delete(0, 1);

    EstimateContent old = EstimateContent.read(doc, then);

    assertThat(old.rooms()).hasSize(1);
    assertThat(old.rooms().get(0)).containsEntry("id", "living").containsEntry("name", "Room living");
    assertThat(old.totals().grand()).isEqualByComparingTo("180");
    assertThat(old.notes()).isEqualTo("Back door.");
    assertThat(EstimateContent.read(doc, null).rooms()).isEmpty();
  }

  @Test
  void changesTo_namesRoomsAndSurfacesAddedRemovedAndChanged() {
    Doc doc = Doc.newBuilder().gc(false).build();
    EstimateTotalsTest.addRoom(doc, "living", new Object[] {20, 2, 4.5});
    EstimateTotalsTest.addRoom(doc, "attic", new Object[] {5, 1, 1});
    surface(doc, 0, 0).set("id", "wall");
    EstimateContent before = EstimateContent.read(doc, null);
    room(doc, 0).set("name", "Lounge");
    surface(doc, 0, 0).set("price", 5);
    doc.getArray("rooms").delete(1, 1);
    EstimateTotalsTest.addRoom(doc, "hall", new Object[] {10, 2, 3});
    addParagraph(doc, "New note.");

    List<String> changes = before.changesTo(EstimateContent.read(doc, null));

    assertThat(changes).containsExactly("Removed room “Room attic”",
        "Renamed room “Room living” to “Lounge”", "Lounge, Wall: price 4.5 → 5",
        "Added room “Room hall” with 1 surface(s)", "Changed the notes");
    assertThat(before.changesTo(before)).isEmpty();
  }

  @Test
  void read_namesAndPaintsAsYText_readAsTheirText_thenAndNow() {
    Doc doc = Doc.newBuilder().gc(false).build();
    EstimateTotalsTest.addRoom(doc, "living", new Object[] {20, 2, 4.5});
    EstimateContent asStrings = EstimateContent.read(doc, null);
    // The page replaces an old estimate's string with a Y.Text of the same text at the first keystroke.
    doc.transact(txn -> {
      room(doc, 0).set("name", new YText("Room living"));
      surface(doc, 0, 0).set("product", new YText(""));
    });
    EstimateContent asTexts = EstimateContent.read(doc, null);
    Snapshot then = Snapshot.of(doc);
    doc.transact(txn -> {
      ((YText) room(doc, 0).get("name")).insert(0, "Big ");
      ((YText) surface(doc, 0, 0).get("product")).insert(0, "Satin");
    });

    EstimateContent now = EstimateContent.read(doc, null);

    assertThat(asStrings.changesTo(asTexts)).isEmpty();
    assertThat(EstimateContent.read(doc, then)).isEqualTo(asTexts);
    assertThat(now.rooms().get(0)).containsEntry("name", "Big Room living");
    assertThat(asTexts.changesTo(now)).containsExactly("Renamed room “Room living” to “Big Room living”",
        "Big Room living, Wall: product (empty) → Satin");
  }

  @Test
  void read_valuesOfAnotherKind_countAsEmpty() {
    Doc doc = Doc.create();
    EstimateTotalsTest.addRoom(doc, "living", new Object[] {20, 2, 4.5});
    surface(doc, 0, 0).set("price", new YMap()); // a hostile or broken client
    doc.getArray("rooms").push(List.of("not a room"));

    EstimateContent content = EstimateContent.read(doc, null);

    assertThat(content.rooms()).hasSize(1);
    @SuppressWarnings("unchecked")
    Map<String, Object> s = ((List<Map<String, Object>>) content.rooms().get(0).get("surfaces")).get(0);
    assertThat(s.get("price")).isNull();
    assertThat(content.totals().grand()).isEqualByComparingTo("0");
  }
}
