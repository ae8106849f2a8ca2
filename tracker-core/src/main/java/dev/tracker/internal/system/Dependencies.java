package dev.tracker.internal.system;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The class path as text for the {@value #ARTIFACT} artifact: one entry a line, its file name and
 * its version (from the jar manifest's {@code Implementation-Version}, else {@code
 * Bundle-Version}, else the file name), separated by a tab.
 */
final class Dependencies {
  /** The artifact file the text is stored as. */
  static final String ARTIFACT = "tracker.dependencies.txt";

  private static final Pattern VERSION_IN_NAME =
      Pattern.compile("-(\\d[\\w.+\\-]*?)(?:-(?:sources|tests|test-jar))?\\.jar$");

  private Dependencies() {}

  /**
   * The entries of {@code java.class.path}, then of any {@link URLClassLoader} from {@code loader}
   * up (which is how {@code mvn exec:java} and many containers load an application), then the
   * {@code Class-Path} of a manifest-only jar; in order, each once.
   *
   * @param launched whether a launcher ({@link dev.tracker.internal.Launch#launched()}) runs the
   *     application in its own JVM: {@code java.class.path} is then the launcher's and left out
   */
  static List<Path> classPath(String javaClassPath, boolean launched, ClassLoader loader) {
    Set<Path> entries = new LinkedHashSet<>();
    if (javaClassPath != null && !launched) {
      for (String e : javaClassPath.split(File.pathSeparator)) {
        if (!e.isBlank()) {
          add(entries, e);
        }
      }
    }
    List<ClassLoader> chain = new ArrayList<>();
    for (ClassLoader l = loader; l != null; l = l.getParent()) {
      chain.add(0, l); // parents first: the order classes are found in
    }
    for (ClassLoader l : chain) {
      if (l instanceof URLClassLoader u) {
        for (URL url : u.getURLs()) {
          if ("file".equals(url.getProtocol())) {
            try {
              entries.add(Path.of(url.toURI()).toAbsolutePath().normalize());
            } catch (URISyntaxException | RuntimeException e) {
              // not a local path
            }
          }
        }
      }
    }
    Set<Path> withManifestClassPath = new LinkedHashSet<>();
    for (Path p : entries) {
      withManifestClassPath.add(p);
      withManifestClassPath.addAll(manifestClassPath(p));
    }
    return List.copyOf(withManifestClassPath);
  }

  /** The artifact's text for these entries; directories are shown relative to {@code workDir}. */
  static String describe(List<Path> entries, Path workDir) {
    StringBuilder sb = new StringBuilder();
    sb.append("# The class path of the JVM that recorded this run: entry<TAB>version\n");
    Path base = workDir.toAbsolutePath().normalize();
    for (Path p : entries) {
      if (Files.isDirectory(p)) {
        Path shown = p.startsWith(base) && !p.equals(base) ? base.relativize(p) : p;
        sb.append(shown.toString().replace('\\', '/')).append("/\tdirectory\n");
      } else if (Files.isRegularFile(p)) {
        sb.append(p.getFileName()).append('\t').append(version(p)).append('\n');
      }
    }
    return sb.toString();
  }

  /** The jar's version from its manifest, else from its file name, else "unknown". */
  static String version(Path jar) {
    try (JarFile f = new JarFile(jar.toFile(), false)) {
      Manifest m = f.getManifest();
      if (m != null) {
        Attributes a = m.getMainAttributes();
        for (String name : List.of("Implementation-Version", "Bundle-Version")) {
          String v = a.getValue(name);
          if (v != null && !v.isBlank()) {
            return v.trim();
          }
        }
      }
    } catch (IOException | RuntimeException notAJar) {
      // fall back to the name
    }
    Matcher m = VERSION_IN_NAME.matcher(jar.getFileName().toString());
    return m.find() ? m.group(1) : "unknown";
  }

  private static void add(Set<Path> entries, String entry) {
    try {
      entries.add(Path.of(entry).toAbsolutePath().normalize());
    } catch (RuntimeException notAPath) {
      // skip
    }
  }

  /** The entries a jar's manifest {@code Class-Path} names, resolved against the jar's folder. */
  private static List<Path> manifestClassPath(Path jar) {
    if (!Files.isRegularFile(jar) || !jar.getFileName().toString().endsWith(".jar")) {
      return List.of();
    }
    try (JarFile f = new JarFile(jar.toFile(), false)) {
      Manifest m = f.getManifest();
      String cp = m == null ? null : m.getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
      if (cp == null || cp.isBlank()) {
        return List.of();
      }
      List<Path> out = new ArrayList<>();
      for (String e : cp.trim().split("\\s+")) {
        try {
          URL url = jar.getParent().toUri().resolve(e).toURL();
          if ("file".equals(url.getProtocol())) {
            out.add(Path.of(url.toURI()).toAbsolutePath().normalize());
          }
        } catch (IOException | URISyntaxException | RuntimeException bad) {
          // skip an entry we cannot resolve
        }
      }
      return out;
    } catch (IOException | RuntimeException e) {
      return List.of();
    }
  }
}
