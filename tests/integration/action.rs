//! The GitHub Action: `action.yml` is parsed and its `run:` steps are run
//! in order, as a runner would, with a simulated environment (event
//! payload, `GITHUB_OUTPUT`, `GITHUB_STEP_SUMMARY`) on real repositories.
//! The `uses:` steps (cache, SARIF upload) are GitHub's own actions: they
//! are checked, not run.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use yaml_rust2::{Yaml, YamlLoader};

use crate::git::{LATER_TOKEN, commit, git, repo};
use crate::util::*;

const ZERO: &str = "0000000000000000000000000000000000000000";

fn yaml(text: &str) -> Yaml {
    YamlLoader::load_from_str(text)
        .unwrap()
        .into_iter()
        .next()
        .unwrap()
}

fn action() -> Yaml {
    yaml(&std::fs::read_to_string(manifest_dir().join("action.yml")).unwrap())
}

/// A YAML scalar as the runner sees it: a string.
fn scalar(value: &Yaml) -> String {
    match value {
        Yaml::String(s) | Yaml::Real(s) => s.clone(),
        Yaml::Boolean(b) => b.to_string(),
        Yaml::Integer(i) => i.to_string(),
        Yaml::Null | Yaml::BadValue => String::new(),
        other => panic!("not a scalar: {other:?}"),
    }
}

fn entries(map: &Yaml) -> Vec<(String, &Yaml)> {
    map.as_hash()
        .map(|h| h.iter().map(|(k, v)| (scalar(k), v)).collect())
        .unwrap_or_default()
}

/// What one run of the action did.
struct Run {
    /// The exit code of the first failing `run:` step, or 0.
    code: i32,
    stdout: String,
    stderr: String,
    /// The action's outputs, resolved from the steps' outputs.
    outputs: HashMap<String, String>,
    summary: String,
    /// The `uses:` steps that would run, with their `with:` values resolved.
    uses: Vec<(String, HashMap<String, String>)>,
}

impl Run {
    /// The workflow commands the runner would read from the log.
    fn commands(&self) -> Vec<&str> {
        self.stdout
            .lines()
            .filter(|l| l.starts_with("::"))
            .collect()
    }
}

/// A simulated runner: a workspace, a temp directory, an event.
struct Runner {
    workspace: PathBuf,
    temp: Dir,
    event: String,
    payload: serde_json::Value,
    git_ref: String,
    inputs: Vec<(String, String)>,
    /// Adjusts each step's command (e.g. the cargo environment).
    adjust: fn(&mut std::process::Command),
}

impl Runner {
    fn new(workspace: &Path, event: &str, payload: serde_json::Value) -> Runner {
        Runner {
            workspace: workspace.to_path_buf(),
            temp: Dir::new(),
            event: event.to_string(),
            payload,
            git_ref: "refs/heads/feature".to_string(),
            inputs: vec![(
                "binary".to_string(),
                env!("CARGO_BIN_EXE_leakproof").to_string(),
            )],
            adjust: |_| {},
        }
    }

    /// `RUNNER_TEMP`.
    fn runner_temp(&self) -> PathBuf {
        self.temp.path().join("runner")
    }

    fn input(mut self, name: &str, value: &str) -> Runner {
        self.inputs.push((name.to_string(), value.to_string()));
        self
    }

    /// Evaluates the `${{ … }}` expressions the action uses.
    fn eval(
        text: &str,
        inputs: &HashMap<String, String>,
        steps: &HashMap<String, HashMap<String, String>>,
    ) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${{") {
            out.push_str(&rest[..start]);
            let end = rest[start..].find("}}").unwrap() + start;
            let expr = rest[start + 3..end].trim();
            let value = if let Some(name) = expr.strip_prefix("inputs.") {
                inputs
                    .get(name)
                    .unwrap_or_else(|| panic!("undeclared input {name}"))
                    .clone()
            } else if let Some(path) = expr.strip_prefix("steps.") {
                let (id, output) = path.split_once(".outputs.").unwrap();
                steps
                    .get(id)
                    .and_then(|o| o.get(output))
                    .cloned()
                    .unwrap_or_default()
            } else {
                panic!("unsupported expression `{expr}`")
            };
            out.push_str(&value);
            rest = &rest[end + 2..];
        }
        out.push_str(rest);
        out
    }

    fn run(&self) -> Run {
        let action = action();
        let mut inputs: HashMap<String, String> = entries(&action["inputs"])
            .into_iter()
            .map(|(name, spec)| (name, scalar(&spec["default"])))
            .collect();
        for (name, value) in &self.inputs {
            assert!(inputs.contains_key(name), "action.yml has no input {name}");
            inputs.insert(name.clone(), value.clone());
        }
        let tmp = self.temp.path();
        let event_path = tmp.join("event.json");
        std::fs::write(&event_path, self.payload.to_string()).unwrap();
        let summary = tmp.join("summary.md");
        let runner_temp = self.runner_temp();
        std::fs::create_dir_all(&runner_temp).unwrap();
        let mut steps: HashMap<String, HashMap<String, String>> = HashMap::new();
        let mut run = Run {
            code: 0,
            stdout: String::new(),
            stderr: String::new(),
            outputs: HashMap::new(),
            summary: String::new(),
            uses: Vec::new(),
        };
        for (n, step) in action["runs"]["steps"].as_vec().unwrap().iter().enumerate() {
            let id = step["id"]
                .as_str()
                .map_or_else(|| format!("step{n}"), str::to_string);
            if let Some(uses) = step["uses"].as_str() {
                // After a failure only `always()` steps run.
                let always = step["if"]
                    .as_str()
                    .is_some_and(|c| c.starts_with("always()"));
                if run.code != 0 && !always {
                    continue;
                }
                let with = entries(&step["with"])
                    .into_iter()
                    .map(|(k, v)| (k, Self::eval(&scalar(v), &inputs, &steps)))
                    .collect();
                run.uses.push((uses.to_string(), with));
                continue;
            }
            if run.code != 0 {
                continue;
            }
            // Run steps always run when reached, take no expressions in
            // their script (inputs come through env) and use bash.
            assert!(step["if"].is_badvalue(), "run step {id} has an `if`");
            assert_eq!(step["shell"].as_str(), Some("bash"));
            let script = step["run"].as_str().unwrap();
            assert!(!script.contains("${{"), "expression in the script of {id}");
            let output_file = tmp.join(format!("{id}.output"));
            std::fs::write(&output_file, "").unwrap();
            let mut cmd = Dir::new().program("bash").args([
                "--noprofile",
                "--norc",
                "-eo",
                "pipefail",
                "-c",
                script,
            ]);
            cmd.command
                .current_dir(&self.workspace)
                .env("PATH", path_without_leakproof())
                .env("CI", "true")
                .env("GITHUB_ACTIONS", "true")
                .env("GITHUB_ACTION_PATH", manifest_dir())
                .env("GITHUB_WORKSPACE", &self.workspace)
                .env("GITHUB_EVENT_NAME", &self.event)
                .env("GITHUB_EVENT_PATH", &event_path)
                .env("GITHUB_REF", &self.git_ref)
                .env("GITHUB_OUTPUT", &output_file)
                .env("GITHUB_STEP_SUMMARY", &summary)
                .env("RUNNER_TEMP", &runner_temp)
                .env("RUNNER_OS", "Linux")
                .env("RUNNER_ARCH", "X64");
            for (name, value) in entries(&step["env"]) {
                cmd.command
                    .env(name, Self::eval(&scalar(value), &inputs, &steps));
            }
            (self.adjust)(&mut cmd.command);
            let out = cmd.run();
            run.stdout.push_str(&out.stdout);
            run.stderr.push_str(&out.stderr);
            let outputs = std::fs::read_to_string(&output_file)
                .unwrap()
                .lines()
                .map(|l| {
                    let (k, v) = l.split_once('=').unwrap();
                    (k.to_string(), v.to_string())
                })
                .collect();
            steps.insert(id, outputs);
            run.code = out.code;
        }
        for (name, spec) in entries(&action["outputs"]) {
            let value = Self::eval(spec["value"].as_str().unwrap(), &inputs, &steps);
            run.outputs.insert(name, value);
        }
        run.summary = std::fs::read_to_string(&summary).unwrap_or_default();
        run
    }
}

/// An origin with `main` (an old secret, then a clean commit) and a pull
/// request branch `feature` (a new secret, then a clean commit), plus the
/// merge commit GitHub checks out for a pull request.
struct Origin {
    dir: Dir,
    main: String,
    feature: String,
    secret_commit: String,
    old_commit: String,
}

fn origin() -> Origin {
    let dir = repo();
    dir.create("old.env", format!("TOKEN={EXTRA_TOKEN}\n"));
    let old_commit = commit(&dir, "an old secret");
    dir.create("README.md", "hello\n");
    let main = commit(&dir, "readme");
    git(&dir, &["checkout", "-q", "-b", "feature"]);
    dir.create("new.env", format!("A=1\nTOKEN={LATER_TOKEN}\n"));
    let secret_commit = commit(&dir, "a new secret");
    dir.create("app.py", "print('hi')\n");
    let feature = commit(&dir, "clean");
    git(&dir, &["checkout", "-q", "main"]);
    git(&dir, &["merge", "-q", "--no-ff", "feature", "-m", "merge"]);
    git(&dir, &["update-ref", "refs/pull/1/merge", "HEAD"]);
    git(&dir, &["reset", "-q", "--hard", &main]);
    Origin {
        dir,
        main,
        feature,
        secret_commit,
        old_commit,
    }
}

/// A checkout as actions/checkout makes it: `fetch-depth: 1` of one ref,
/// into `ws/` under a new directory.
fn checkout(origin: &Origin, refspec: &str, depth: Option<u32>) -> Dir {
    let dir = Dir::new();
    let ws = dir.path().join("ws");
    std::fs::create_dir(&ws).unwrap();
    let url = format!("file://{}", origin.dir.path().display());
    let sh = |args: &[&str]| {
        let out = dir.program("git").args(["-C", "ws"]).args(args).run();
        assert_eq!(out.code, 0, "git {args:?}: {}", out.stderr);
    };
    sh(&["init", "-q"]);
    sh(&["remote", "add", "origin", &url]);
    let depth_arg = depth.map(|d| format!("--depth={d}"));
    let mut fetch = vec!["fetch", "-q", "--no-tags", "origin", refspec];
    if let Some(d) = &depth_arg {
        fetch.push(d);
    }
    sh(&fetch);
    sh(&["checkout", "-q", "FETCH_HEAD"]);
    dir
}

/// The annotation of a history finding; `commit` is the commit that
/// added it and its message.
fn annotation(path: &str, line: usize, col: usize, secret: &str, commit: (&str, &str)) -> String {
    let fp = leakproof::finding::fingerprint("github-pat-classic", path, secret.as_bytes(), None);
    format!(
        "::error file={path},line={line},col={col},endLine={line},endColumn={},title=leakproof%3A GitHub personal access token (classic) (critical)::github-pat-classic found a critical secret: ghp_*****. Fingerprint: {fp}. Commit {} by Ann Dev <ann@example.com> on 2024-05-06T07:08:09+02:00: {}",
        col + secret.len(),
        &commit.0[..12],
        commit.1
    )
}

/// The `with:` of the leakproof step of the README's workflow.
fn readme_inputs() -> Vec<(String, String)> {
    let workflow = yaml(&readme_snippet("action"));
    let steps = workflow["jobs"]["leakproof"]["steps"].as_vec().unwrap();
    let step = steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("leakproof/leakproof@"))
        })
        .expect("the README workflow uses the action");
    entries(&step["with"])
        .into_iter()
        .map(|(k, v)| (k, scalar(v)))
        .collect()
}

#[test]
fn action_yml_declares_what_the_issue_asks() {
    let action = action();
    assert_eq!(action["name"].as_str(), Some("leakproof"));
    assert!(action["description"].as_str().is_some());
    assert_eq!(action["runs"]["using"].as_str(), Some("composite"));
    let inputs: Vec<String> = entries(&action["inputs"])
        .into_iter()
        .map(|(name, spec)| {
            assert!(
                spec["description"].as_str().is_some(),
                "input {name} has no description"
            );
            assert!(
                !spec["default"].is_badvalue(),
                "input {name} has no default"
            );
            name
        })
        .collect();
    for name in [
        "path",
        "config",
        "baseline",
        "format",
        "fail-on-findings",
        "upload-sarif",
        "extra-args",
        "binary",
    ] {
        assert!(inputs.iter().any(|i| i == name), "no input {name}");
    }
    let outputs: Vec<String> = entries(&action["outputs"])
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    assert_eq!(outputs, ["findings", "sarif-file"]);
    let steps = action["runs"]["steps"].as_vec().unwrap();
    let upload = uses_step(steps, "github/codeql-action/upload-sarif@v3");
    assert_eq!(
        upload["if"].as_str(),
        Some("always() && inputs.upload-sarif == 'true' && steps.scan.outputs.sarif-file != ''")
    );
    assert_eq!(upload["continue-on-error"].as_bool(), Some(true));
    assert_eq!(
        upload["with"]["sarif_file"].as_str(),
        Some("${{ steps.scan.outputs.sarif-file }}")
    );
    for (uses, cond) in [
        ("actions/cache/restore@v4", "inputs.binary == ''"),
        (
            "actions/cache/save@v4",
            "inputs.binary == '' && steps.restore.outputs.cache-hit != 'true'",
        ),
    ] {
        let step = uses_step(steps, uses);
        assert_eq!(step["if"].as_str(), Some(cond), "{uses}");
        assert_eq!(
            step["with"]["key"].as_str(),
            Some("${{ steps.prepare.outputs.cache-key }}")
        );
        assert_eq!(
            step["with"]["path"].as_str(),
            Some("${{ steps.prepare.outputs.cache-dir }}")
        );
    }
}

fn uses_step<'a>(steps: &'a [Yaml], uses: &str) -> &'a Yaml {
    steps
        .iter()
        .find(|s| s["uses"].as_str() == Some(uses))
        .unwrap_or_else(|| panic!("no {uses} step"))
}

#[test]
fn the_readme_workflow_uses_the_action_as_it_is() {
    let workflow = yaml(&readme_snippet("action"));
    assert!(!workflow["on"]["pull_request"].is_badvalue());
    assert!(!workflow["on"]["push"].is_badvalue());
    assert_eq!(
        workflow["permissions"]["security-events"].as_str(),
        Some("write")
    );
    let steps = workflow["jobs"]["leakproof"]["steps"].as_vec().unwrap();
    let checkout = uses_step(steps, "actions/checkout@v4");
    assert_eq!(checkout["with"]["fetch-depth"].as_i64(), Some(0));
    uses_step(steps, &format!("leakproof/leakproof@{}", readme_pin()));
    let declared: Vec<String> = entries(&action()["inputs"])
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    let inputs = readme_inputs();
    assert!(!inputs.is_empty());
    for (name, _) in &inputs {
        assert!(
            declared.contains(name),
            "the README sets unknown input {name}"
        );
    }
}

#[test]
fn a_pull_request_is_annotated_summarized_and_fails() {
    let origin = origin();
    // The default checkout of a pull request: its merge commit, depth 1.
    // The base and head commits are not there: the action fetches them.
    let ws = checkout(&origin, "refs/pull/1/merge", Some(1));
    let payload = serde_json::json!({
        "pull_request": {
            "base": {"sha": origin.main},
            "head": {"sha": origin.feature},
        },
        "repository": {"default_branch": "main"},
    });
    let mut runner = Runner::new(&ws.path().join("ws"), "pull_request", payload);
    for (name, value) in readme_inputs() {
        runner = runner.input(&name, &value);
    }
    let run = runner.run();
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let fp = leakproof::finding::fingerprint(
        "github-pat-classic",
        "new.env",
        LATER_TOKEN.as_bytes(),
        None,
    );
    assert_eq!(
        run.commands(),
        [annotation(
            "new.env",
            2,
            7,
            LATER_TOKEN,
            (&origin.secret_commit, "a new secret")
        )],
        "{}",
        run.stderr
    );
    // The text report in the log, then the annotations.
    assert!(
        run.stdout.contains(&format!(
            "new.env:2:7  github-pat-classic  critical  ghp_*****  fingerprint={fp}  commit={} author=\"Ann Dev <ann@example.com>\" date=2024-05-06T07:08:09+02:00 message=\"a new secret\"\n",
            &origin.secret_commit[..12]
        )),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("leakproof: shallow clone: fetching the history the scan needs"),
        "{}",
        run.stdout
    );
    let sarif_file = runner.runner_temp().join("leakproof.sarif");
    assert_eq!(run.outputs["findings"], "1");
    assert_eq!(run.outputs["sarif-file"], sarif_file.display().to_string());
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif_file).unwrap()).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 1);
    assert_eq!(results[0]["ruleId"], "github-pat-classic");
    let location = &results[0]["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "new.env");
    assert_eq!(location["region"]["startLine"], 2);
    // The summary: the table, then the summary line.
    let (table, last) = run.summary.trim_end().rsplit_once('\n').unwrap();
    assert_eq!(
        table,
        format!(
            "### leakproof: 1 finding\n\
             \n\
             | Severity | Rule | Location | Secret | Commit | Fingerprint |\n\
             | --- | --- | --- | --- | --- | --- |\n\
             | critical | `github-pat-classic` | `new.env:2:7` | `ghp_*****` | `{} by Ann Dev <ann@example.com> on 2024-05-06T07:08:09+02:00: a new secret` | `{fp}` |\n",
            &origin.secret_commit[..12]
        )
    );
    assert!(
        last.starts_with("`leakproof: scanned 2 files (")
            && last.ends_with("; 1 finding; 1 suppressed (superseded 1); 2 commits`"),
        "{last}"
    );
    assert!(!run.summary.contains(LATER_TOKEN));
    assert!(!run.stdout.contains(LATER_TOKEN));
    // The README asks for the upload; it is handed the SARIF file.
    let upload = run
        .uses
        .iter()
        .find(|(u, _)| u.starts_with("github/codeql-action/upload-sarif"))
        .unwrap();
    assert_eq!(upload.1["sarif_file"], sarif_file.display().to_string());
}

#[test]
fn a_new_branch_push_scans_what_it_adds_to_the_default_branch() {
    let origin = origin();
    let ws = checkout(&origin, "refs/heads/feature", Some(1));
    let payload = serde_json::json!({
        "before": ZERO,
        "after": origin.feature,
        "repository": {"default_branch": "main"},
    });
    let run = Runner::new(&ws.path().join("ws"), "push", payload)
        .input("fail-on-findings", "false")
        .input("format", "github")
        .run();
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(
        run.commands(),
        [annotation(
            "new.env",
            2,
            7,
            LATER_TOKEN,
            (&origin.secret_commit, "a new secret")
        )]
    );
    assert_eq!(run.outputs["findings"], "1");
    assert!(run.summary.starts_with("### leakproof: 1 finding\n"));

    // The first push of the default branch: its whole history.
    let mut runner = Runner::new(
        &ws.path().join("ws"),
        "push",
        serde_json::json!({
            "before": ZERO,
            "after": origin.feature,
            "repository": {"default_branch": "feature"},
        }),
    );
    runner.git_ref = "refs/heads/feature".to_string();
    let run = runner.input("format", "github").run();
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(
        run.commands(),
        [
            annotation(
                "new.env",
                2,
                7,
                LATER_TOKEN,
                (&origin.secret_commit, "a new secret")
            ),
            annotation(
                "old.env",
                1,
                7,
                EXTRA_TOKEN,
                (&origin.old_commit, "an old secret")
            )
        ]
    );
    assert_eq!(run.outputs["findings"], "2");
}

#[test]
fn an_empty_push_is_clean() {
    let origin = origin();
    let ws = checkout(&origin, "refs/heads/main", None);
    let payload = serde_json::json!({"before": origin.main, "after": origin.main});
    let run = Runner::new(&ws.path().join("ws"), "push", payload).run();
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(run.commands(), Vec::<&str>::new());
    assert_eq!(run.outputs["findings"], "0");
    assert!(
        run.stderr.contains(&format!(
            "the range {0}..{0} is empty: nothing scanned",
            origin.main
        )),
        "{}",
        run.stderr
    );
    assert!(
        run.summary
            .starts_with("### leakproof: no findings\n\n`leakproof: scanned 0 files"),
        "{}",
        run.summary
    );
}

#[test]
fn a_range_that_cannot_be_resolved_fails_closed() {
    let origin = origin();
    let ws = checkout(&origin, "refs/heads/feature", Some(1));
    git_in(&ws, &["remote", "remove", "origin"]);
    let payload = serde_json::json!({
        "pull_request": {
            "base": {"sha": origin.main},
            "head": {"sha": origin.feature},
        },
    });
    let run = Runner::new(&ws.path().join("ws"), "pull_request", payload).run();
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(
        run.commands(),
        [
            "::error title=leakproof::the scan could not be trusted (exit 2): see the error above; a pull request or push range needs the history (actions/checkout with fetch-depth: 0)"
        ]
    );
    assert!(
        run.stderr.contains(&format!(
            "leakproof: error: cannot resolve revision `{}`",
            origin.main
        )),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("fetch-depth: 0"), "{}", run.stderr);
    // No outputs: nothing for the SARIF upload.
    assert_eq!(run.outputs["findings"], "");
    assert_eq!(run.outputs["sarif-file"], "");
}

fn git_in(ws: &Dir, args: &[&str]) {
    let out = ws.program("git").args(["-C", "ws"]).args(args).run();
    assert_eq!(out.code, 0, "{}", out.stderr);
}

#[test]
fn the_action_builds_leakproof_when_no_binary_is_given() {
    let origin = origin();
    let ws = checkout(&origin, "refs/heads/main", None);
    let payload = serde_json::json!({"before": origin.main, "after": origin.main});
    let mut runner = Runner::new(&ws.path().join("ws"), "push", payload).input("binary", "");
    runner.adjust = fast_release_build;
    let built = runner.run();
    assert_eq!(built.code, 0, "{}\n{}", built.stdout, built.stderr);
    assert!(
        built.stdout.contains("leakproof: building "),
        "{}",
        built.stdout
    );
    assert!(
        built
            .stdout
            .contains(&format!("leakproof {} (commit ", env!("CARGO_PKG_VERSION"))),
        "{}",
        built.stdout
    );
    assert_eq!(built.outputs["findings"], "0");
    // The same runner temp directory: the binary is there, as a cache
    // restore would put it.
    let cached = runner.run();
    assert_eq!(cached.code, 0, "{}", cached.stderr);
    assert!(
        cached.stdout.contains("leakproof: using the cached build "),
        "{}",
        cached.stdout
    );
    let key = |run: &Run| {
        run.uses
            .iter()
            .find(|(u, _)| u == "actions/cache/restore@v4")
            .map(|(_, with)| with["key"].clone())
            .unwrap()
    };
    assert_eq!(key(&built), key(&cached));
    assert!(key(&built).starts_with("leakproof-Linux-X64-"));
}

#[test]
fn config_baseline_and_extra_args_reach_the_scan() {
    let origin = origin();
    let ws = checkout(&origin, "refs/pull/1/merge", None);
    let workspace = ws.path().join("ws");
    let payload = serde_json::json!({
        "pull_request": {
            "base": {"sha": origin.main},
            "head": {"sha": origin.feature},
        },
    });
    std::fs::write(
        workspace.join("ci.toml"),
        "[allowlist]\npaths = ['''^new\\.env$''']\n",
    )
    .unwrap();
    let run = Runner::new(&workspace, "pull_request", payload.clone())
        .input("config", "ci.toml")
        .input("extra-args", "--show-suppressed\n--threads 1")
        .run();
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(run.outputs["findings"], "0");
    assert!(
        run.stdout
            .contains("suppressed new.env:2:7  github-pat-classic  allowlist: "),
        "{}",
        run.stdout
    );
    assert!(
        run.summary.contains("; 1 suppressed by ci.toml"),
        "{}",
        run.summary
    );

    // A baseline of the work tree's findings accepts the new one too.
    let created = std::process::Command::new(env!("CARGO_BIN_EXE_leakproof"))
        .args(["baseline", "create", ".", "-o", "accepted.jsonl"])
        .current_dir(&workspace)
        .output()
        .unwrap();
    assert!(created.status.success());
    let run = Runner::new(&workspace, "pull_request", payload)
        .input("baseline", "accepted.jsonl")
        .run();
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(run.outputs["findings"], "0");
    assert!(
        run.summary
            .contains("; 0 findings; 2 suppressed (baseline 1, superseded 1); 2 commits"),
        "{}",
        run.summary
    );
}

#[test]
fn a_hostile_format_input_cannot_write_workflow_commands() {
    let ws = Dir::new();
    let run = Runner::new(ws.path(), "pull_request", serde_json::json!({}))
        .input("format", "x\n::add-mask::y\r\x1b[2J%0A")
        .run();
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    let lines: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.trim_start().starts_with("::"))
        .collect();
    assert_eq!(
        lines,
        [
            "::error title=leakproof::format: expected text, json, sarif or github, not $'x\\n::add-mask::y\\r\\E[2J%250A'"
        ]
    );
    assert!(!run.stdout.contains('\x1b') && !run.stderr.contains('\x1b'));
}
