package ai.candlefish.collab.core;

import java.util.Objects;

/** A named map inside an XML tree that an editor renders itself (Yjs {@code Y.XmlHook}). */
public final class YXmlHook extends YMap {
  private final String hookName;

  /** A new preliminary hook named {@code hookName}. */
  public YXmlHook(String hookName) {
    this.hookName = Objects.requireNonNull(hookName, "hookName");
  }

  /** The hook's name. */
  public String hookName() {
    return hookName;
  }

  /** A new preliminary hook with the same name and entries (nested types are not copied, as in Yjs). */
  @Override
  public YXmlHook clone() {
    YXmlHook copy = new YXmlHook(hookName);
    toMap().forEach(copy::set);
    return copy;
  }

  @Override
  int typeRef() {
    return XML_HOOK;
  }

  @Override
  void writeTypeRef(UpdateEncoder encoder) {
    encoder.writeTypeRef(XML_HOOK);
    encoder.writeKey(hookName);
  }

  @Override
  SharedType copyEmpty() {
    return new YXmlHook(hookName);
  }
}
