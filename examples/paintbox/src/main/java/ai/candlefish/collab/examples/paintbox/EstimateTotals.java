package ai.candlefish.collab.examples.paintbox;

import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.core.Transaction;
import ai.candlefish.collab.core.YArray;
import ai.candlefish.collab.core.YMap;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The totals of one estimate, computed from its document: per room, and for the whole estimate.
 *
 * <p>The document (written by the page, {@code src/main/js/estimate.js}) holds a Y.Array {@code rooms} of Y.Maps
 * {@code {id, name, surfaces}}, where {@code surfaces} is a Y.Array of Y.Maps {@code {id, kind, area, coats,
 * product, price}}: area in m², price per m² per coat. A surface costs {@code area × coats × price}; a room the sum
 * of its surfaces, rounded to cents; the estimate the sum of its rooms. Values come from the network: anything that
 * is not a finite number within 0..{@value #MAX_VALUE} (or a string holding one) counts as 0, and rooms without an
 * id are skipped.
 *
 * <p>The server writes them into the Y.Map {@code totals} as one value under one key, {@code estimate}: an object of
 * {@code grand} and {@code area} (numbers) and {@code rooms} (an object from room id to its total), which every page
 * shows. One key, so that the rewrites of a busy estimate leave nothing behind: each rewrite replaces the value the
 * server wrote last, and a run of values replaced one after the other by the same writer collects into one item of
 * the document (as in Yjs), where three keys rewritten in turn left three items per rewrite (~700 bytes by the
 * server's {@code maxDocumentBytes} estimate, its limit reached after ~190,000 rewrites).
 *
 * @param rooms each room's total, by room id, in document order
 * @param area the painted area of the whole estimate, m² (each surface once, whatever its coats)
 * @param grand the total of the whole estimate
 */
public record EstimateTotals(Map<String, BigDecimal> rooms, BigDecimal area, BigDecimal grand) {
  static final String ROOMS = "rooms";
  static final String SURFACES = "surfaces";
  static final String TOTALS = "totals";
  /** The one key of {@link #TOTALS}. */
  static final String CURRENT = "estimate";
  /** The keys Paintbox wrote before {@link #CURRENT}: the first rewrite of an older document deletes them. */
  private static final List<String> BEFORE_CURRENT = List.of(ROOMS, "area", "grand");
  static final double MAX_VALUE = 1e9;
  private static final int SCALE = 2;

  public EstimateTotals {
    Map<String, BigDecimal> copy = new LinkedHashMap<>();
    Objects.requireNonNull(rooms, "rooms").forEach((id, total) -> copy.put(Objects.requireNonNull(id, "room id"),
        Objects.requireNonNull(total, "room total").setScale(SCALE, RoundingMode.HALF_UP)));
    rooms = Collections.unmodifiableMap(copy);
    area = Objects.requireNonNull(area, "area").setScale(SCALE, RoundingMode.HALF_UP);
    grand = Objects.requireNonNull(grand, "grand").setScale(SCALE, RoundingMode.HALF_UP);
  }

  /** Computes the totals from the rooms and surfaces of {@code doc}. Call it on the document's thread. */
  public static EstimateTotals compute(Doc doc) {
    return compute(doc.getArray(ROOMS).toList());
  }

  /**
   * Computes the totals from rooms as the document holds them: Y.Maps, or plain maps and lists (a past version,
   * {@link EstimateContent}).
   */
  static EstimateTotals compute(List<?> roomList) {
    Map<String, BigDecimal> rooms = new LinkedHashMap<>();
    BigDecimal area = BigDecimal.ZERO;
    BigDecimal grand = BigDecimal.ZERO;
    for (Object room : roomList) {
      String id = field(room, "id") instanceof String s && !s.isEmpty() ? s : null;
      if (id == null) {
        continue;
      }
      BigDecimal roomTotal = BigDecimal.ZERO;
      for (Object surface : list(field(room, SURFACES))) {
        BigDecimal surfaceArea = number(field(surface, "area"));
        area = area.add(surfaceArea);
        roomTotal = roomTotal.add(surfaceArea.multiply(number(field(surface, "coats")))
            .multiply(number(field(surface, "price"))));
      }
      roomTotal = roomTotal.setScale(SCALE, RoundingMode.HALF_UP);
      rooms.merge(id, roomTotal, BigDecimal::add);
      grand = grand.add(roomTotal);
    }
    return new EstimateTotals(rooms, area, grand);
  }

  /** The totals stored in {@code doc}'s {@code totals} map, or null if there are none yet. */
  public static EstimateTotals stored(Doc doc) {
    if (!(doc.getMap(TOTALS).get(CURRENT) instanceof Map<?, ?> totals) || !totals.containsKey("grand")) {
      return null;
    }
    Map<String, BigDecimal> rooms = new LinkedHashMap<>();
    if (totals.get(ROOMS) instanceof Map<?, ?> byRoom) {
      byRoom.forEach((k, v) -> rooms.put(String.valueOf(k), number(v)));
    }
    return new EstimateTotals(rooms, number(totals.get("area")), number(totals.get("grand")));
  }

  /**
   * Writes these totals into the {@code totals} map of the transaction's document, in place of the ones there.
   */
  public void writeTo(Transaction txn) {
    YMap totals = txn.doc().getMap(TOTALS);
    Map<String, Object> byRoom = new LinkedHashMap<>();
    rooms.forEach((id, total) -> byRoom.put(id, total.doubleValue()));
    Map<String, Object> value = new LinkedHashMap<>();
    value.put(ROOMS, byRoom);
    value.put("area", area.doubleValue());
    value.put("grand", grand.doubleValue());
    totals.set(CURRENT, value);
    for (String key : BEFORE_CURRENT) {
      if (totals.has(key)) {
        totals.delete(key);
      }
    }
  }

  private static Object field(Object container, String key) {
    if (container instanceof YMap map) {
      return map.get(key);
    }
    if (container instanceof Map<?, ?> map) {
      return map.get(key);
    }
    return null;
  }

  private static List<Object> list(Object value) {
    if (value instanceof YArray array) {
      return array.toList();
    }
    if (value instanceof List<?> l) {
      return l.stream().filter(Objects::nonNull).map(Object.class::cast).toList();
    }
    return List.of();
  }

  private static BigDecimal number(Object value) {
    double d;
    if (value instanceof Number n) {
      d = n.doubleValue();
    } else if (value instanceof String s) {
      try {
        d = Double.parseDouble(s.trim().replace(',', '.'));
      } catch (NumberFormatException e) {
        return BigDecimal.ZERO;
      }
    } else {
      return BigDecimal.ZERO;
    }
    return Double.isFinite(d) && d > 0 && d <= MAX_VALUE ? BigDecimal.valueOf(d) : BigDecimal.ZERO;
  }
}
