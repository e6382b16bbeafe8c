package ai.candlefish.collab.examples.paintbox;

import static org.assertj.core.api.Assertions.assertThat;

import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.core.UpdateLimits;
import ai.candlefish.collab.core.YArray;
import ai.candlefish.collab.core.YMap;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EstimateTotalsTest {
  /** Adds a room of Y.Maps, as the page does. Each surface: area, coats, price. */
  static void addRoom(Doc doc, String id, Object[]... surfaces) {
    doc.transact(txn -> {
      YMap room = new YMap();
      doc.getArray("rooms").push(List.of(room));
      room.set("id", id);
      room.set("name", "Room " + id);
      YArray list = new YArray();
      room.set("surfaces", list);
      for (Object[] s : surfaces) {
        YMap surface = new YMap();
        list.push(List.of(surface));
        surface.set("kind", "Wall");
        surface.set("area", s[0]);
        surface.set("coats", s[1]);
        surface.set("price", s[2]);
      }
    });
  }

  private static BigDecimal money(String value) {
    return new BigDecimal(value);
  }

  @Test
  void compute_sumsSurfacesPerRoomAndForTheEstimate() {
    Doc doc = Doc.create();
    addRoom(doc, "living", new Object[] {20, 2, 4.5}, new Object[] {15, 1, 5});
    addRoom(doc, "kitchen", new Object[] {12.5, 2, 3.2});

    EstimateTotals totals = EstimateTotals.compute(doc);

    assertThat(totals.rooms()).containsExactly(Map.entry("living", money("255.00")), Map.entry("kitchen",
        money("80.00")));
    assertThat(totals.area()).isEqualTo(money("47.50"));
    assertThat(totals.grand()).isEqualTo(money("335.00"));
  }

  @Test
  void compute_emptyDocument_isZero() {
    EstimateTotals totals = EstimateTotals.compute(Doc.create());

    assertThat(totals.rooms()).isEmpty();
    assertThat(totals.grand()).isEqualTo(money("0.00"));
  }

  @Test
  void compute_roundsEachRoomToCents() {
    Doc doc = Doc.create();
    addRoom(doc, "a", new Object[] {1.005, 1, 1}, new Object[] {0.001, 1, 1});

    assertThat(EstimateTotals.compute(doc).rooms().get("a")).isEqualTo(money("1.01"));
  }

  @Test
  void compute_readsNumbersTypedAsText_andCountsNonsenseAsZero() {
    Doc doc = Doc.create();
    addRoom(doc, "r", new Object[] {"4,5", "2", " 10 "}, new Object[] {"lots", 2, 3}, new Object[] {-5, 2, 3},
        new Object[] {Double.NaN, 2, 3}, new Object[] {1e12, 1, 1}, new Object[] {true, 1, 1},
        new Object[] {Double.POSITIVE_INFINITY, 1, 1});

    EstimateTotals totals = EstimateTotals.compute(doc);

    assertThat(totals.grand()).isEqualTo(money("90.00"));
    assertThat(totals.area()).isEqualTo(money("4.50"));
  }

  @Test
  void compute_skipsRoomsWithoutId_andReadsPlainJsonRooms() {
    Doc doc = Doc.create();
    Map<String, Object> surface = new LinkedHashMap<>();
    surface.put("area", 10);
    surface.put("coats", 1);
    surface.put("price", 2);
    doc.transact(txn -> doc.getArray("rooms").push(List.of(
        Map.of("name", "no id", "surfaces", List.of(surface)),
        Map.of("id", "json", "surfaces", List.of(surface)),
        "not a room")));

    EstimateTotals totals = EstimateTotals.compute(doc);

    assertThat(totals.rooms()).containsOnlyKeys("json");
    assertThat(totals.grand()).isEqualTo(money("20.00"));
  }

  @Test
  void stored_isNullBeforeTheFirstWrite_andWhatWasWrittenAfter() {
    Doc doc = Doc.create();
    addRoom(doc, "living", new Object[] {20, 2, 4.5}, new Object[] {15, 1, 5.25});
    assertThat(EstimateTotals.stored(doc)).isNull();

    EstimateTotals computed = EstimateTotals.compute(doc);
    doc.transact(computed::writeTo);

    // 255 comes back as an Integer (JavaScript's number encoding), 258.75 as a Double: equal all the same.
    assertThat(EstimateTotals.stored(doc)).isEqualTo(computed);
    assertThat(doc.getMap("totals").toJson()).containsOnlyKeys("estimate");
    assertThat(doc.getMap("totals").get("estimate")).isInstanceOfSatisfying(Map.class,
        estimate -> assertThat(estimate.get("grand")).isEqualTo(258.75));
  }

  @Test
  void writeTo_replacesTheKeysThatOlderPaintboxesWrote() {
    Doc doc = Doc.create();
    addRoom(doc, "living", new Object[] {20, 2, 4.5});
    doc.transact(txn -> {
      doc.getMap("totals").set("grand", 1.0);
      doc.getMap("totals").set("area", 2.0);
      doc.getMap("totals").set("rooms", Map.of("living", 1.0));
    });
    assertThat(EstimateTotals.stored(doc)).isNull();

    doc.transact(EstimateTotals.compute(doc)::writeTo);

    assertThat(doc.getMap("totals").toJson()).containsOnlyKeys("estimate");
    assertThat(EstimateTotals.stored(doc).grand()).isEqualTo(money("180.00"));
  }

  /**
   * The server rewrites the totals after every edit: what the document holds must not grow with the rewrites (before,
   * three keys rewritten in turn left three collected items each time: ~54 KB encoded and ~1.2 MB by the server's
   * estimate after 2,000 edits).
   */
  @Test
  void writeTo_onEveryEdit_leavesTheDocumentAsSmallAsAfterTheFirst() {
    Doc server = Doc.newBuilder().clientId(1).build();
    Doc client = Doc.newBuilder().clientId(2).build();
    addRoom(client, "living", new Object[] {20, 2, 4.5});
    YMap wall = (YMap) ((YArray) ((YMap) client.getArray("rooms").get(0)).get("surfaces")).get(0);
    int afterFirst = 0;
    for (int edit = 1; edit <= 2000; edit++) {
      int area = edit;
      client.transact(txn -> wall.set("area", area));
      server.applyUpdate(client.encodeStateAsUpdate(server.encodeStateVector()));
      server.transact(EstimateTotals.compute(server)::writeTo);
      if (edit == 1) {
        afterFirst = server.encodeStateAsUpdate().length;
      }
    }

    assertThat(EstimateTotals.stored(server).grand()).isEqualTo(money("18000.00"));
    // Only the numbers grow (the values, clocks and lengths in varints): a few bytes, against ~15 bytes a rewrite.
    assertThat(server.encodeStateAsUpdate().length).as("encoded, after 2,000 rewrites")
        .isLessThanOrEqualTo(afterFirst + 64);
    // What the server's maxDocumentBytes weighs (the memory the document holds): one more edit still fits 16 KiB.
    Doc more = Doc.newBuilder().clientId(3).build();
    more.getMap("notes").set("more", "x");
    server.applyUpdate(more.encodeStateAsUpdate(), "client",
        UpdateLimits.newBuilder().maxDocumentBytes(16 * 1024).build());
  }

  @Test
  void stored_differs_afterASurfaceChanged() {
    Doc doc = Doc.create();
    addRoom(doc, "living", new Object[] {20, 2, 4.5});
    doc.transact(EstimateTotals.compute(doc)::writeTo);

    doc.transact(txn -> ((YMap) ((YArray) ((YMap) doc.getArray("rooms").get(0)).get("surfaces")).get(0))
        .set("coats", 3));

    assertThat(EstimateTotals.compute(doc)).isNotEqualTo(EstimateTotals.stored(doc));
    assertThat(EstimateTotals.compute(doc).grand()).isEqualTo(money("270.00"));
  }
}
