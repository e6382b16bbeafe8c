package ai.candlefish.collab.core;

import ai.candlefish.collab.core.internal.codec.JsObjects;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A shared XML element (Yjs {@code Y.XmlElement}): a node name, attributes, and child nodes.
 *
 * <p>{@code new YXmlElement("paragraph")} creates a preliminary element; attributes and children set before it
 * is inserted into a document are kept and integrated with it.
 */
public final class YXmlElement extends YXmlFragment {
  private final String nodeName;
  private Map<String, Object> prelimAttributes = new LinkedHashMap<>();

  /** A new preliminary element named {@code nodeName}. */
  public YXmlElement(String nodeName) {
    this.nodeName = Objects.requireNonNull(nodeName, "nodeName");
  }

  /** The element's name (e.g. {@code paragraph}). */
  public String nodeName() {
    return nodeName;
  }

  @Override
  int typeRef() {
    return XML_ELEMENT;
  }

  @Override
  void writeTypeRef(UpdateEncoder encoder) {
    encoder.writeTypeRef(XML_ELEMENT);
    encoder.writeKey(nodeName);
  }

  @Override
  SharedType copyEmpty() {
    return new YXmlElement(nodeName);
  }

  @Override
  void integrate(Doc doc, Item item) {
    // Children first, then attributes: the order (and so the clocks) Yjs uses.
    super.integrate(doc, item);
    Map<String, Object> attrs = prelimAttributes;
    prelimAttributes = null;
    attrs.forEach(this::setAttribute);
  }

  /** Sets attribute {@code name} (any storable value; strings in practice). */
  public void setAttribute(String name, Object value) {
    Objects.requireNonNull(name, "name");
    if (doc == null) {
      prelimAttributes.put(name, value);
      return;
    }
    doc.transact(txn -> mapSet(txn, name, value));
  }

  /** Removes attribute {@code name}. */
  public void removeAttribute(String name) {
    Objects.requireNonNull(name, "name");
    if (doc == null) {
      prelimAttributes.remove(name);
      return;
    }
    doc.transact(txn -> mapDelete(txn, name));
  }

  /** The value of attribute {@code name}, or null. */
  public @Nullable Object getAttribute(String name) {
    Objects.requireNonNull(name, "name");
    return doc == null ? prelimAttributes.get(name) : mapGet(name);
  }

  /** Whether attribute {@code name} is set. */
  public boolean hasAttribute(String name) {
    Objects.requireNonNull(name, "name");
    return doc == null ? prelimAttributes.containsKey(name) : mapHas(name);
  }

  /**
   * All attributes, as an unmodifiable snapshot (Yjs {@code getAttributes}, an object: an attribute
   * {@code "__proto__"} is not listed, {@link #getAttribute} reads it).
   */
  public Map<String, Object> getAttributes() {
    return Collections.unmodifiableMap(doc == null ? new LinkedHashMap<>(prelimAttributes) : asJsObject(mapEntries()));
  }

  /**
   * The attributes as they were at {@code snapshot} (Yjs {@code getAttributes(snapshot)}); unmodifiable.
   *
   * @throws IllegalStateException if this element is not part of a document
   */
  public Map<String, Object> getAttributes(Snapshot snapshot) {
    return asJsObject(mapEntries(snapshot));
  }

  /** A new preliminary element with the same name, attributes and copies of the children (Yjs {@code clone()}). */
  @Override
  public YXmlElement clone() {
    YXmlElement copy = new YXmlElement(nodeName);
    getAttributes().forEach((key, value) -> {
      if (!key.equals(JsObjects.PROTO)) { // Yjs copies the entries of getAttributes(), an object
        copy.setAttribute(key, value);
      }
    });
    copy.insert(0, clonedChildren());
    return copy;
  }

  /** The next sibling in the parent, or null. */
  public @Nullable SharedType nextSibling() {
    return sibling(true);
  }

  /** The previous sibling in the parent, or null. */
  public @Nullable SharedType prevSibling() {
    return sibling(false);
  }

  /** {@code <nodename attr="value">children</nodename>}, attributes sorted by name, as Yjs writes it. */
  @Override
  public String toString() {
    return TypeWalk.toXml(this, true);
  }
}
