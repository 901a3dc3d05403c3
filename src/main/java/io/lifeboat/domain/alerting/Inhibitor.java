package io.lifeboat.domain.alerting;

import io.lifeboat.config.LifeboatConfig.InhibitRule;
import io.lifeboat.domain.Alert;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Inhibition as Alertmanager has it: while a source alert fires, target alerts with the same values of
 * the {@code equal} labels are not sent. One rule is built in: while {@code SafeModeEntered} fires, the
 * warnings Safe Mode itself causes (label {@code cause=safe_mode}) are not sent.
 */
public final class Inhibitor {

    private record Rule(List<Matcher> source, List<Matcher> target, List<String> equal) {}

    public static final InhibitRule SAFE_MODE = new InhibitRule(
            Map.of("alertname", "SafeModeEntered"), Map.of("cause", "safe_mode", "severity", "warning"), List.of());

    private final List<Rule> rules = new ArrayList<>();

    public Inhibitor(List<InhibitRule> configured) {
        List<InhibitRule> all = new ArrayList<>(configured);
        all.add(SAFE_MODE);
        for (InhibitRule r : all) {
            rules.add(new Rule(matchers(r.sourceMatch()), matchers(r.targetMatch()), r.equal()));
        }
    }

    private static List<Matcher> matchers(Map<String, String> m) {
        List<Matcher> out = new ArrayList<>();
        m.forEach((k, v) -> out.add(Matcher.eq(k, v)));
        return out;
    }

    /** True when a firing alert among {@code firing} inhibits {@code alert}. */
    public boolean inhibited(Alert alert, Collection<Alert> firing) {
        Map<String, String> target = Matcher.labels(alert);
        for (Rule r : rules) {
            if (!r.target().stream().allMatch(m -> m.matches(target))) {
                continue;
            }
            for (Alert s : firing) {
                if (s.fingerprint().equals(alert.fingerprint()) || !"firing".equals(s.status())) {
                    continue;
                }
                Map<String, String> source = Matcher.labels(s);
                if (r.source().stream().allMatch(m -> m.matches(source)) && sameValues(r.equal(), source, target)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean sameValues(List<String> labels, Map<String, String> a, Map<String, String> b) {
        for (String l : labels) {
            if (!a.getOrDefault(l, "").equals(b.getOrDefault(l, ""))) {
                return false;
            }
        }
        return true;
    }
}
