package dev.tracker.internal.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DependenciesTest {
  @TempDir
  Path dir;

  /** A jar with these manifest attributes (none: no manifest at all). */
  static Path jar(Path file, Map<String, String> attributes) throws IOException {
    Files.createDirectories(file.getParent());
    try (OutputStream out = Files.newOutputStream(file)) {
      if (attributes.isEmpty()) {
        try (JarOutputStream jar = new JarOutputStream(out)) {
          jar.putNextEntry(new java.util.jar.JarEntry("a/A.class"));
          jar.closeEntry();
        }
      } else {
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        attributes.forEach((k, v) -> m.getMainAttributes().putValue(k, v));
        new JarOutputStream(out, m).close();
      }
    }
    return file;
  }

  @Test
  void eachEntryIsListedWithItsManifestVersionElseTheVersionInItsName() throws IOException {
    Path lib = dir.resolve("lib");
    List<Path> entries = List.of(
        jar(lib.resolve("slf4j-api-2.0.17.jar"), Map.of("Implementation-Version", "2.0.17",
            "Bundle-Version", "9")),
        jar(lib.resolve("osgi-thing.jar"), Map.of("Bundle-Version", "1.4.0.v2024")),
        jar(lib.resolve("guava-33.4.0-jre.jar"), Map.of()),
        jar(lib.resolve("plain.jar"), Map.of("Created-By", "me")),
        Files.createDirectories(dir.resolve("target/classes")),
        lib.resolve("gone-1.0.jar"));

    assertThat(Dependencies.describe(entries, dir)).isEqualTo("""
        # The class path of the JVM that recorded this run: entry<TAB>version
        slf4j-api-2.0.17.jar\t2.0.17
        osgi-thing.jar\t1.4.0.v2024
        guava-33.4.0-jre.jar\t33.4.0-jre
        plain.jar\tunknown
        target/classes/\tdirectory
        """);
  }

  @Test
  void classPathJoinsTheClassPathPropertyUrlClassLoadersAndManifestClassPaths()
      throws IOException {
    Path lib = dir.resolve("lib");
    Path a = jar(lib.resolve("a-1.jar"), Map.of());
    Path b = jar(lib.resolve("b-2.jar"), Map.of());
    Path booter = jar(dir.resolve("booter.jar"), Map.of("Class-Path", "lib/b-2.jar lib/c-3.jar"));
    Path c = jar(lib.resolve("c-3.jar"), Map.of());

    try (URLClassLoader loader = new URLClassLoader(new URL[] {b.toUri().toURL(),
        dir.resolve("app").toUri().toURL()}, null)) {
      List<Path> cp = Dependencies.classPath(a + java.io.File.pathSeparator + booter, false,
          loader);

      assertThat(cp).containsExactly(a, booter, b, c, dir.resolve("app"));
    }
  }

  @Test
  void underALauncherTheClassPathIsTheContextClassLoadersNotTheLaunchers() throws IOException {
    // mvn exec:java: java.class.path is Maven's boot jar, the application is in exec's loader
    Path boot = jar(dir.resolve("boot").resolve("plexus-classworlds-2.8.0.jar"), Map.of());
    Path app = jar(dir.resolve("lib").resolve("app-1.jar"), Map.of());

    try (URLClassLoader loader = new URLClassLoader(new URL[] {app.toUri().toURL(),
        dir.resolve("classes").toUri().toURL()}, null)) {
      List<Path> cp = Dependencies.classPath(boot.toString(), true, loader);

      assertThat(cp).containsExactly(app, dir.resolve("classes"));
    }
  }
}
