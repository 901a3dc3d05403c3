package io.lifeboat.domain;

import static java.util.Objects.requireNonNull;

import io.lifeboat.config.LifeboatConfig.AlertRule;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code alerting.backupOn}: which targets an incoming firing alert backs up. A rule matches when
 * every one of its {@code match} label pairs is among the alert's labels; its targets (or every target)
 * are backed up. Several matching rules give the union; a resolved alert backs up nothing.
 */
public final class AlertRules {

    private final List<AlertRule> rules;
    private final Set<String> allTargets;

    public AlertRules(List<AlertRule> rules, Collection<String> allTargets) {
        this.rules = List.copyOf(requireNonNull(rules, "rules"));
        this.allTargets = Set.copyOf(allTargets);
    }

    /** The targets to back up for this alert, sorted; empty when no rule matches or it is resolved. */
    public Set<String> targetsFor(Alert alert) {
        Set<String> out = new TreeSet<>();
        if (!"firing".equals(alert.status())) {
            return out;
        }
        for (AlertRule rule : rules) {
            if (matches(rule, alert.labels())) {
                out.addAll(rule.allTargets() ? allTargets : rule.targets());
            }
        }
        out.retainAll(allTargets);
        return out;
    }

    /** The names of the rules that match, for the log. */
    public List<String> matching(Alert alert) {
        return rules.stream()
                .filter(r -> matches(r, alert.labels()))
                .map(AlertRule::name)
                .toList();
    }

    static boolean matches(AlertRule rule, Map<String, String> labels) {
        return !rule.match().isEmpty()
                && rule.match().entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
    }
}
