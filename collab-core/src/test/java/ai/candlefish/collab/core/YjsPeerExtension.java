package ai.candlefish.collab.core;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One {@link YjsPeer} per test class: {@code @ExtendWith(YjsPeerExtension.class)} on the class starts a peer before
 * its first test (before its own {@code @BeforeAll} methods) into its {@code static YjsPeer} field, as JUnit's
 * {@code @TempDir} fills a static field, and closes it after its last test.
 */
final class YjsPeerExtension implements BeforeAllCallback, AfterAllCallback {
  @Override
  public void beforeAll(ExtensionContext context) throws IllegalAccessException {
    List<Field> fields = peerFields(context.getRequiredTestClass());
    if (fields.size() != 1) {
      throw new ExtensionConfigurationException(context.getRequiredTestClass().getSimpleName() + " has "
          + fields.size() + " static YjsPeer fields; declare exactly one for YjsPeerExtension to fill");
    }
    fields.get(0).set(null, YjsPeer.start());
  }

  @Override
  public void afterAll(ExtensionContext context) throws IllegalAccessException {
    for (Field field : peerFields(context.getRequiredTestClass())) {
      YjsPeer peer = (YjsPeer) field.get(null);
      if (peer != null) {
        field.set(null, null);
        peer.close();
      }
    }
  }

  private static List<Field> peerFields(Class<?> testClass) {
    List<Field> fields = new ArrayList<>();
    for (Field field : testClass.getDeclaredFields()) {
      if (field.getType() == YjsPeer.class && Modifier.isStatic(field.getModifiers())) {
        field.setAccessible(true);
        fields.add(field);
      }
    }
    return fields;
  }
}
