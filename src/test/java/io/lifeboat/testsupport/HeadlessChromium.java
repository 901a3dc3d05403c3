package io.lifeboat.testsupport;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;

/**
 * Headless Chromium run once per page load, as a user's browser: {@code --dump-dom} after a budget of
 * virtual time (timers run, network answers are awaited), or a screenshot. Each run gets a profile
 * of its own under {@code work}. No Chromium on PATH is a failure that says how to install it, never
 * a skip.
 */
public final class HeadlessChromium {

    private final String binary;
    private final Path work;

    public HeadlessChromium(Path work) {
        this.binary = find();
        this.work = work;
    }

    /** The Chromium binary on PATH. */
    static String find() {
        for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
            for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) {
                    return p.toString();
                }
            }
        }
        throw new AssertionError("this test needs headless Chromium and none is on PATH:"
                + " install it with `apt-get install -y chromium` (scripts/test-all.sh does)");
    }

    /** The DOM after {@code virtualMillis} of virtual time, parsed. */
    public Document dom(String url, int virtualMillis) throws IOException, InterruptedException {
        String html = run(url, virtualMillis, "--dump-dom");
        if (!html.contains("<body")) {
            throw new AssertionError("Chromium dumped no DOM for " + url + ":\n" + html);
        }
        return Jsoup.parse(html);
    }

    /** A PNG of the page at {@code width}x{@code height} after {@code virtualMillis} of virtual time. */
    public void screenshot(String url, int virtualMillis, Path png, int width, int height)
            throws IOException, InterruptedException {
        run(url, virtualMillis, "--window-size=" + width + "," + height, "--screenshot=" + png.toAbsolutePath());
    }

    private String run(String url, int virtualMillis, String... extra) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory(work, "chromium");
        List<String> cmd = new ArrayList<>(List.of(
                binary,
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--hide-scrollbars",
                "--user-data-dir=" + profile,
                "--virtual-time-budget=" + virtualMillis));
        cmd.addAll(List.of(extra));
        cmd.add(url);
        long n = System.nanoTime();
        Path out = work.resolve("chromium-" + n + ".out");
        Path err = work.resolve("chromium-" + n + ".err");
        Process p = new ProcessBuilder(cmd)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("Chromium did not finish within 120 s:\n" + Files.readString(err));
        }
        if (p.exitValue() != 0) {
            throw new AssertionError("Chromium exited " + p.exitValue() + ":\n" + Files.readString(err));
        }
        return Files.readString(out, UTF_8);
    }
}
