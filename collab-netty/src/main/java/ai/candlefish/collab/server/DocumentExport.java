package ai.candlefish.collab.server;

import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.core.internal.codec.Json;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.VersionInfo;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Everything the server holds for one document, for a data subject's access request (GDPR article 15) or a move
 * to another system: its current state (everything accepted, stored or about to be) and its saved versions with
 * their states. From {@link CollabServer#export}; {@link ai.candlefish.collab.spi.DocumentStore#delete} erases the
 * same data.
 *
 * <p>States are Yjs v1 updates: {@link #toDoc()} rebuilds the document, and {@link #toJson(Consumer)} writes the
 * whole export as JSON, with the content of the root types that the caller declares (a Yjs update does not say
 * whether a root is a text, a map or an array; the application knows).
 *
 * <p>Immutable: arrays are copied in and out.
 */
public final class DocumentExport {
  /** A saved version: its id, label, author and time, and the document's state when it was saved. */
  public record Version(VersionInfo info, byte[] state) {
    public Version {
      Objects.requireNonNull(info, "info");
      state = Objects.requireNonNull(state, "state").clone();
    }

    /** The document's state when the version was saved (a Yjs v1 update); a copy. */
    @Override
    public byte[] state() {
      return state.clone();
    }
  }

  private final DocumentKey key;
  private final Instant exportedAt;
  private final byte[] state;
  private final List<Version> versions;

  DocumentExport(DocumentKey key, Instant exportedAt, byte[] state, List<Version> versions) {
    this.key = key;
    this.exportedAt = exportedAt;
    this.state = state.clone();
    this.versions = List.copyOf(versions);
  }

  /** Which document. */
  public DocumentKey key() {
    return key;
  }

  /** When the export was taken. */
  public Instant exportedAt() {
    return exportedAt;
  }

  /** The document's state (a Yjs v1 update); a copy. */
  public byte[] state() {
    return state.clone();
  }

  /** The saved versions, oldest first (empty when the store keeps none). */
  public List<Version> versions() {
    return versions;
  }

  /** A detached copy of the document: its changes go nowhere. */
  public Doc toDoc() {
    return docOf(state, null);
  }

  /**
   * The export as one JSON object: {@code tenant}, {@code name}, {@code exportedAt}, {@code content} (the roots that
   * {@code declareRoots} asks for, e.g. {@code doc -> { doc.getMap("estimate"); doc.getText("notes"); }}, as
   * {@link Doc#toJson()}), {@code state} (base64), and {@code versions} (each with {@code id}, {@code label},
   * {@code author}, {@code createdAt}, {@code content} and {@code state}).
   */
  public String toJson(Consumer<Doc> declareRoots) {
    Objects.requireNonNull(declareRoots, "declareRoots");
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("tenant", key.tenant());
    out.put("name", key.name());
    out.put("exportedAt", exportedAt.toString());
    out.put("content", docOf(state, declareRoots).toJson());
    out.put("state", Base64.getEncoder().encodeToString(state));
    List<Object> saved = new ArrayList<>();
    for (Version v : versions) {
      Map<String, Object> version = new LinkedHashMap<>();
      version.put("id", v.info().id());
      version.put("label", v.info().label());
      version.put("author", v.info().author());
      version.put("createdAt", v.info().createdAt().toString());
      version.put("content", docOf(v.state, declareRoots).toJson());
      version.put("state", Base64.getEncoder().encodeToString(v.state));
      saved.add(version);
    }
    out.put("versions", saved);
    return Json.stringify(out);
  }

  private static Doc docOf(byte[] state, Consumer<Doc> declareRoots) {
    Doc doc = Doc.create();
    if (declareRoots != null) {
      declareRoots.accept(doc);
    }
    doc.applyUpdate(state);
    return doc;
  }

  @Override
  public String toString() {
    return "DocumentExport[" + key + ", " + state.length + " bytes, " + versions.size() + " versions]";
  }
}
