package ai.candlefish.collab.examples.paintbox;

import ai.candlefish.collab.core.Delta;
import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.core.Snapshot;
import ai.candlefish.collab.core.YArray;
import ai.candlefish.collab.core.YMap;
import ai.candlefish.collab.core.YText;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What an estimate held at one moment (a saved version), as plain values for the page: its rooms with their
 * surfaces (the shape {@link EstimateTotals} describes) and its notes as text; and what changed between two such
 * moments, in words ({@link #changesTo}).
 *
 * <p>A room's {@code name} and a surface's {@code product} are Y.Texts (so that two people typing into one keep both
 * their characters); estimates from before, and clients that write them so, hold plain strings: both read as text.
 * The notes are Lexical's: the root {@code root} holds one Y.XmlText per paragraph, whose strings are the text
 * (beside Y.Maps with each text node's properties).
 *
 * @param rooms each room as {@code {id, name, surfaces: [{id, kind, area, coats, product, price}]}}, in order
 * @param notes the notes' paragraphs, one per line
 */
record EstimateContent(List<Map<String, Object>> rooms, String notes) {
  private static final String NAME = "name";
  private static final String PRODUCT = "product";
  private static final List<String> SURFACE_FIELDS = List.of("kind", "area", "coats", PRODUCT, "price");

  EstimateContent {
    rooms = List.copyOf(rooms);
    Objects.requireNonNull(notes, "notes");
  }

  /**
   * Reads {@code doc} as it was at {@code at} (null: as it is). Reading at a snapshot needs a document that kept
   * what was deleted since (a {@code VersionComparison}'s). Call it on the document's thread.
   */
  static EstimateContent read(Doc doc, Snapshot at) {
    List<Map<String, Object>> rooms = new ArrayList<>();
    for (Object value : list(doc.getArray(EstimateTotals.ROOMS), at)) {
      if (!(value instanceof YMap room)) {
        continue;
      }
      Map<String, Object> fields = fields(room, at);
      if (!(fields.get("id") instanceof String id)) {
        continue;
      }
      List<Map<String, Object>> surfaces = new ArrayList<>();
      for (Object s : fields.get(EstimateTotals.SURFACES) instanceof YArray a ? list(a, at) : List.of()) {
        if (s instanceof YMap surface) {
          Map<String, Object> f = fields(surface, at);
          Map<String, Object> plain = new LinkedHashMap<>();
          plain.put("id", f.get("id") instanceof String sid ? sid : "");
          SURFACE_FIELDS.forEach(k -> plain.put(k,
              k.equals(PRODUCT) ? textValue(f.get(k), at) : plainValue(f.get(k))));
          surfaces.add(plain);
        }
      }
      Map<String, Object> plain = new LinkedHashMap<>();
      plain.put("id", id);
      plain.put(NAME, textValue(fields.get(NAME), at) instanceof String name ? name : "");
      plain.put(EstimateTotals.SURFACES, surfaces);
      rooms.add(plain);
    }
    return new EstimateContent(rooms, notes(doc.getText("root"), at));
  }

  /** The totals of these rooms, as the server computes them for the live estimate. */
  EstimateTotals totals() {
    return EstimateTotals.compute(rooms);
  }

  /**
   * What changed from this content to {@code later}, one sentence each: rooms added, removed or renamed, surfaces
   * added or removed, each changed field of a surface (old → new), and whether the notes changed.
   */
  List<String> changesTo(EstimateContent later) {
    List<String> changes = new ArrayList<>();
    Map<String, Map<String, Object>> before = byId(rooms);
    Map<String, Map<String, Object>> after = byId(later.rooms);
    before.forEach((id, room) -> {
      if (!after.containsKey(id)) {
        changes.add("Removed room “" + room.get(NAME) + "”");
      }
    });
    after.forEach((id, room) -> {
      Map<String, Object> old = before.get(id);
      if (old == null) {
        changes.add("Added room “" + room.get(NAME) + "” with " + surfaces(room).size() + " surface(s)");
        return;
      }
      String name = String.valueOf(room.get(NAME));
      if (!Objects.equals(old.get(NAME), room.get(NAME))) {
        changes.add("Renamed room “" + old.get(NAME) + "” to “" + name + "”");
      }
      Map<String, Map<String, Object>> oldSurfaces = byId(surfaces(old));
      Map<String, Map<String, Object>> newSurfaces = byId(surfaces(room));
      oldSurfaces.forEach((sid, s) -> {
        if (!newSurfaces.containsKey(sid)) {
          changes.add(name + ": removed " + s.get("kind") + " (" + s.get("area") + " m²)");
        }
      });
      newSurfaces.forEach((sid, s) -> {
        Map<String, Object> was = oldSurfaces.get(sid);
        if (was == null) {
          changes.add(name + ": added " + s.get("kind") + " (" + s.get("area") + " m²)");
          return;
        }
        for (String field : SURFACE_FIELDS) {
          if (!shown(was.get(field)).equals(shown(s.get(field)))) { // no value and "" read the same
            changes.add(name + ", " + s.get("kind") + ": " + field + " " + shown(was.get(field)) + " → "
                + shown(s.get(field)));
          }
        }
      });
    });
    if (!notes.equals(later.notes)) {
      changes.add("Changed the notes");
    }
    return changes;
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> surfaces(Map<String, Object> room) {
    return (List<Map<String, Object>>) room.get(EstimateTotals.SURFACES);
  }

  private static Map<String, Map<String, Object>> byId(List<Map<String, Object>> items) {
    Map<String, Map<String, Object>> byId = new LinkedHashMap<>();
    for (Map<String, Object> item : items) {
      byId.putIfAbsent(String.valueOf(item.get("id")), item);
    }
    return byId;
  }

  private static String shown(Object value) {
    return value == null || "".equals(value) ? "(empty)" : String.valueOf(value);
  }

  private static List<Object> list(YArray array, Snapshot at) {
    return at == null ? array.toList() : array.toList(at);
  }

  private static Map<String, Object> fields(YMap map, Snapshot at) {
    return at == null ? map.toMap() : map.toMap(at);
  }

  /** Strings and numbers as they are; anything else a client may have put there (a shared type, bytes) as null. */
  private static Object plainValue(Object value) {
    return value instanceof String || value instanceof Number ? value : null;
  }

  /** A text field's value (a name, a paint): a Y.Text as its text at {@code at}, else as {@link #plainValue}. */
  private static Object textValue(Object value, Snapshot at) {
    return value instanceof YText text ? text(text, at) : plainValue(value);
  }

  /** The text of {@code text} at {@code at} (null: as it is now), without what is embedded in it. */
  private static String text(YText text, Snapshot at) {
    StringBuilder out = new StringBuilder();
    for (Delta part : text.toDelta(at, null, null)) {
      if (part.insert() instanceof String s) {
        out.append(s);
      }
    }
    return out.toString();
  }

  private static String notes(YText root, Snapshot at) {
    StringBuilder notes = new StringBuilder();
    for (Delta paragraph : root.toDelta(at, null, null)) {
      if (paragraph.insert() instanceof YText p) {
        if (!notes.isEmpty()) {
          notes.append('\n');
        }
        notes.append(text(p, at));
      }
    }
    return notes.toString();
  }
}
