package qualysconnector.jenkins

import com.cloudbees.groovy.cps.NonCPS
import groovy.json.JsonSlurperClassic

/**
 * What the steps qualysWasScan, qualysVmScan and qualysTestConnection share: reading the parameters of Qualys'
 * Jenkins plugins (qualysWASScan, qualysVulnerabilityAnalyzer) into `qualys-connector` flags, running the CLI,
 * recording its outputs and turning its exit code into the build result.
 *
 * The parameter readers are pure (@NonCPS, no step call) and throw IllegalArgumentException for a parameter
 * that has no equivalent or a wrong value; the steps turn that into `error(...)`. Every value reaches the shell
 * single-quoted (shellQuote), and the credentials reach the CLI only as environment variables bound by
 * withCredentials: never as a step argument, never in the script text.
 */
class QualysGate implements Serializable {

    /** The exit codes of `qualys-connector` (its README, "Exit codes"). */
    static final int EXIT_PASSED = 0
    static final int EXIT_FAILED = 1
    static final int EXIT_INCOMPLETE = 2
    static final int EXIT_ERROR = 3

    /** Where the outputs go unless `reportDir` says otherwise: the CLI's own default. */
    static final String DEFAULT_REPORT_DIR = 'qualys-results'

    /** The platform codes of Qualys' Jenkins plugins, as the CLI's platform ids (`--platform`). */
    static final Map<String, String> PLATFORMS = [
        US_PLATFORM_1: 'US1', US_PLATFORM_2: 'US2', US_PLATFORM_3: 'US3', US_PLATFORM_4: 'US4',
        EU_PLATFORM_1: 'EU1', EU_PLATFORM_2: 'EU2', EU_PLATFORM_3: 'EU3',
        INDIA_PLATFORM: 'IN1', CANADA_PLATFORM: 'CA1', AE_PLATFORM: 'AE1', UK_PLATFORM: 'UK1',
        AU_PLATFORM: 'AU1', KSA_PLATFORM: 'KSA1',
    ]

    /** The CLI's own platform ids, accepted as they are. */
    static final List<String> PLATFORM_IDS = PLATFORMS.values() as List<String>

    /** Connection parameters of every step (the plugins' names). */
    static final List<String> CONNECTION_PARAMETERS = [
        'platform', 'apiServer', 'credsId', 'useProxy', 'proxyServer', 'proxyPort', 'proxyCredentialsId',
    ]

    /** Parameters of this library's gate steps that the plugins do not have. */
    static final List<String> GATE_PARAMETERS = ['reportDir', 'incompleteResult', 'policy', 'extraArgs']

    /** The parameters of qualysWASScan this library reads, besides the connection and gate ones. */
    static final List<String> WAS_PARAMETERS = [
        'webAppId', 'scanName', 'scanType', 'authRecord', 'authRecordId', 'optionProfile', 'optionProfileId',
        'cancelOptions', 'cancelHours', 'pollingInterval', 'vulnsTimeout',
        'isSev1Vulns', 'isSev2Vulns', 'isSev3Vulns', 'isSev4Vulns', 'isSev5Vulns',
        'severity1Limit', 'severity2Limit', 'severity3Limit', 'severity4Limit', 'severity5Limit',
        'isFailOnQidFound', 'qidList', 'failOnScanError',
    ]

    /** The parameters of qualysVulnerabilityAnalyzer this library reads (`ec2Endpoint` is this library's). */
    static final List<String> VM_PARAMETERS = [
        'useHost', 'hostIp', 'network', 'useEc2', 'ec2Id', 'ec2ConnDetails', 'ec2ConnName', 'ec2Endpoint',
        'runConnector', 'scannerName', 'optionProfile', 'scanName', 'pollingInterval', 'vulnsTimeout',
        'failBySev', 'bySev', 'failByQids', 'qidList', 'failByCves', 'cveList', 'failByCvss', 'byCvss', 'cvssBase',
        'failByPci', 'evaluatePotentialVulns', 'doExclude', 'excludeBy', 'excludeList',
    ]

    /** Parameters of the plugins with no equivalent, and what to do instead: refused, never ignored. */
    static final Map<String, String> REFUSED = [
        webhookUrl      : 'webhookUrl has no equivalent: the archived result.json holds the same data; post it ' +
            'with a step of your own (httpRequest) after the scan',
        proxyCredentialsId: 'proxyCredentialsId has no equivalent: bind the proxy URL with its credentials to ' +
            'HTTPS_PROXY with withCredentials (the CLI reads HTTPS_PROXY) and leave useProxy off',
        ec2ConnAccountId: 'ec2ConnAccountId has no equivalent: the connector is named by ec2ConnName (or ec2ConnDetails)',
        ec2ConnId       : 'ec2ConnId has no equivalent: the connector is named by ec2ConnName (or ec2ConnDetails)',
    ]

    /** Parameter names that would put a secret into the pipeline script. */
    static final List<String> SECRET_PARAMETERS = [
        'password', 'qualysPassword', 'clientSecret', 'token', 'secret', 'apiPassword',
    ]

    /** One value for `sh`: single-quoted, a `'` written as `'\''`; nothing inside is expanded by the shell. */
    @NonCPS
    static String shellQuote(Object value) {
        return "'" + String.valueOf(value).replace("'", "'\\''") + "'"
    }

    /** The command line of `args`, each quoted. */
    @NonCPS
    static String commandLine(List<String> args) {
        return (['qualys-connector'] + args).collect { shellQuote(it) }.join(' ')
    }

    /**
     * The `sh` script of a gate run: the CLI's output to the build log as it comes and to
     * `<reportDir>/qualys-connector.log` (for the step's message), its exit code kept through the pipe.
     * `set +e`: Jenkins runs `sh` scripts with -e, which would end the script before the code is saved.
     */
    @NonCPS
    static String gateScript(String reportDir, List<String> args) {
        String dir = shellQuote(reportDir)
        String status = shellQuote("${reportDir}/.qualys-connector-exit-code")
        String log = shellQuote("${reportDir}/qualys-connector.log")
        return [
            'set +e',
            "mkdir -p -- ${dir} || exit 3",
            "rm -f -- ${status}",
            // set +x: the trace of Jenkins' `sh -x` would otherwise land in the log the step reads its message from.
            "( set +x; ${commandLine(args)}; echo \$? > ${status} ) 2>&1 | tee ${log}",
            "code=\$(cat ${status} 2>/dev/null || echo 127)",
            "rm -f -- ${status}",
            'exit "$code"',
        ].join('\n')
    }

    /** The line of the CLI's output that says why: its last `error:` line, else its last line. */
    @NonCPS
    static String reasonOf(String output) {
        List<String> lines = (output ?: '').readLines().collect { it.trim() }.findAll { it }
        String line = lines.reverse().find { it.startsWith('error:') } ?: (lines ? lines[-1] : '')
        return line.length() > 1000 ? line.substring(0, 1000) + '...' : line
    }

    // --- parameters -------------------------------------------------------------------------------------------

    @NonCPS
    private static String text(Object value) {
        return value == null ? null : String.valueOf(value).trim()
    }

    @NonCPS
    private static boolean given(Object value) {
        return value != null && String.valueOf(value).trim() != ''
    }

    @NonCPS
    private static boolean yes(Map p, String name) {
        Object value = p[name]
        if (value == null) return false
        if (value instanceof Boolean) return value
        String t = String.valueOf(value).trim().toLowerCase()
        if (t == 'true') return true
        if (t == 'false' || t == '') return false
        throw new IllegalArgumentException("${name}: \"${value}\" must be true or false")
    }

    @NonCPS
    private static String required(Map p, String name, String why) {
        if (!given(p[name])) throw new IllegalArgumentException("${name} is required ${why}")
        return text(p[name])
    }

    /** Refuse parameters this step does not know, the plugins' parameters with no equivalent, and secrets. */
    @NonCPS
    static void checkNames(String step, Map p, List<String> known) {
        List<String> problems = []
        p.keySet().each { Object key ->
            String name = String.valueOf(key)
            if (SECRET_PARAMETERS.contains(name)) {
                problems << "${name}: a secret is never a step parameter; give credsId (a Jenkins credential) " +
                    'or bind QUALYS_USERNAME and QUALYS_PASSWORD with withCredentials'
            } else if (REFUSED.containsKey(name)) {
                problems << REFUSED[name]
            } else if (!known.contains(name)) {
                problems << "${name} is not a parameter of ${step} (see ${step}'s help: vars/${step}.txt)"
            }
        }
        if (problems) throw new IllegalArgumentException(problems.join('; '))
    }

    /** `[job_name]` and `[build_number]` of the plugins' scan name as the CLI's `{pipeline}` and `{build}`. */
    @NonCPS
    static String scanNameTemplate(String name) {
        return name.replace('[job_name]', '{pipeline}').replace('[build_number]', '{build}')
    }

    /** The connection flags: platform or API server, proxy. */
    @NonCPS
    static List<String> connectionArgs(Map p) {
        List<String> args = []
        String platform = text(p.platform)
        if (given(platform)) {
            if (platform.toUpperCase() == 'PCP') {
                args += ['--api-url', required(p, 'apiServer', 'with platform PCP (private cloud)')]
            } else if (PLATFORMS.containsKey(platform)) {
                args += ['--platform', PLATFORMS[platform]]
            } else if (PLATFORM_IDS.contains(platform.toUpperCase())) {
                args += ['--platform', platform.toUpperCase()]
            } else {
                throw new IllegalArgumentException("platform: \"${platform}\" is not one of " +
                    "${(PLATFORMS.keySet() + ['PCP']).join(', ')} (or ${PLATFORM_IDS.join(', ')})")
            }
        } else if (given(p.apiServer)) {
            args += ['--api-url', text(p.apiServer)]
        }
        if (yes(p, 'useProxy')) {
            String server = required(p, 'proxyServer', 'with useProxy')
            String port = given(p.proxyPort) ? text(p.proxyPort) : '80'
            if (!(port ==~ /\d{1,5}/)) throw new IllegalArgumentException("proxyPort: \"${port}\" is not a port")
            String url = server.contains('://') ? server : "http://${server}"
            args += ['--proxy', "${url}:${port}".toString()]
        } else if (given(p.proxyServer) || given(p.proxyPort)) {
            throw new IllegalArgumentException('proxyServer and proxyPort need useProxy: true')
        }
        return args
    }

    /** What every gate step adds: report folder, policy file, extra flags, and report.html for Jenkins' CSP. */
    @NonCPS
    private static List<String> gateArgs(Map p) {
        List<String> args = ['--report-dir', reportDirOf(p), '--html-mode', 'strict']
        if (given(p.policy)) args += ['--policy', text(p.policy)]
        if (p.extraArgs != null) {
            if (!(p.extraArgs instanceof List)) throw new IllegalArgumentException(
                "extraArgs must be a list of flags and values, such as ['--exclude-qids', '150000']")
            args += (p.extraArgs as List).collect { String.valueOf(it) }
        }
        return args
    }

    /**
     * The report folder: relative to the workspace, in plain characters, since it also becomes the file patterns
     * of junit, sarif and archiveArtifacts (Ant patterns, where `*`, `,` and spaces mean something).
     */
    @NonCPS
    static String reportDirOf(Map p) {
        if (!given(p.reportDir)) return DEFAULT_REPORT_DIR
        String dir = text(p.reportDir)
        if (!(dir ==~ /[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*/) || dir.split('/').any { it == '..' })
            throw new IllegalArgumentException("reportDir: \"${dir}\" must be a folder inside the workspace, named " +
                "with letters, digits, '.', '_', '-' and '/' (it is also a file pattern for junit and archiveArtifacts)")
        return dir
    }

    @NonCPS
    private static String incompleteResultOf(Map p) {
        String value = given(p.incompleteResult) ? text(p.incompleteResult).toUpperCase() : 'UNSTABLE'
        if (!(value in ['UNSTABLE', 'FAILURE']))
            throw new IllegalArgumentException("incompleteResult: \"${p.incompleteResult}\" must be UNSTABLE or FAILURE")
        return value
    }

    @NonCPS
    private static Map plan(String step, String label, String kind, Map p, List<String> args, List<String> warnings) {
        return [
            step            : step,
            label           : label,
            kind            : kind,
            args            : args,
            warnings        : warnings,
            reportDir       : reportDirOf(p),
            incompleteResult: incompleteResultOf(p),
            credsId         : given(p.credsId) ? text(p.credsId) : null,
        ]
    }

    /** A criterion's value given without the flag that turns it on: the plugins ignore it, we say so. */
    @NonCPS
    private static void unused(Map p, String value, String flag, List<String> warnings) {
        if (given(p[value]) && !yes(p, flag))
            warnings << "${value} is not used: ${flag} is not true (as in Qualys' plugin)".toString()
    }

    /** The run of qualysWasScan: `scan was` flags from the parameters of qualysWASScan. */
    @NonCPS
    static Map wasPlan(Map p) {
        checkNames('qualysWasScan', p, CONNECTION_PARAMETERS + GATE_PARAMETERS + WAS_PARAMETERS)
        List<String> warnings = []
        List<String> args = ['scan', 'was', '--webapp', required(p, 'webAppId', '(the web app id or exact name)')]
        if (given(p.scanName)) args += ['--scan-name', scanNameTemplate(text(p.scanName))]
        if (given(p.scanType)) args += ['--type', text(p.scanType).toUpperCase()]
        String auth = given(p.authRecord) ? text(p.authRecord) : 'none'
        switch (auth) {
            case 'none': args += ['--auth-record', 'none']; break
            case 'useDefault': args += ['--auth-record', 'default']; break
            case 'other': args += ['--auth-record', required(p, 'authRecordId', "with authRecord 'other'")]; break
            default: throw new IllegalArgumentException("authRecord: \"${auth}\" must be none, useDefault or other")
        }
        String profile = given(p.optionProfile) ? text(p.optionProfile) : 'useDefault'
        switch (profile) {
            case 'useDefault': break
            case 'other': args += ['--option-profile', required(p, 'optionProfileId', "with optionProfile 'other'")]; break
            default: throw new IllegalArgumentException("optionProfile: \"${profile}\" must be useDefault or other")
        }
        String cancel = given(p.cancelOptions) ? text(p.cancelOptions) : 'none'
        switch (cancel) {
            case 'none': break
            case 'xhours': args += ['--cancel-after-hours', required(p, 'cancelHours', "with cancelOptions 'xhours'")]; break
            default: throw new IllegalArgumentException("cancelOptions: \"${cancel}\" must be none or xhours")
        }
        if (given(p.pollingInterval)) args += ['--poll-interval', text(p.pollingInterval)]
        if (given(p.vulnsTimeout)) args += ['--timeout', text(p.vulnsTimeout)]
        List<String> counts = []
        for (int severity = 5; severity >= 1; severity--) {
            String flag = "isSev${severity}Vulns"
            String limit = "severity${severity}Limit"
            if (yes(p, flag)) counts << "${severity}=${required(p, limit, "with ${flag}")}".toString()
            else unused(p, limit, flag, warnings)
        }
        if (counts) args += ['--max-severity-count', counts.join(',')]
        if (yes(p, 'isFailOnQidFound')) args += ['--fail-on-qids', required(p, 'qidList', 'with isFailOnQidFound')]
        else unused(p, 'qidList', 'isFailOnQidFound', warnings)
        // failOnScanError defaults to true in Qualys' plugin, as the CLI's --on-incomplete fail does.
        if (p.failOnScanError != null && !yes(p, 'failOnScanError')) args += ['--on-incomplete', 'warn']
        args += connectionArgs(p) + gateArgs(p)
        return plan('qualysWasScan', 'Qualys WAS', 'was', p, args, warnings)
    }

    /** The connector named by ec2ConnName, or by the one key of the plugin's ec2ConnDetails JSON. */
    @NonCPS
    private static String ec2Connector(Map p) {
        if (given(p.ec2ConnName)) return text(p.ec2ConnName)
        if (!given(p.ec2ConnDetails)) throw new IllegalArgumentException('ec2ConnName (or ec2ConnDetails) is required with useEc2')
        Object details
        try {
            details = new JsonSlurperClassic().parseText(text(p.ec2ConnDetails))
        } catch (Exception ignored) {
            details = null
        }
        if (!(details instanceof Map) || details.size() != 1)
            throw new IllegalArgumentException('ec2ConnDetails: expected {"<connector name>": {...}}; give ec2ConnName instead')
        return String.valueOf(details.keySet().iterator().next())
    }

    /** A value the plugin lets reference the environment as `env.NAME`. */
    @NonCPS
    private static String fromEnv(String value, Map env) {
        def match = value =~ /^env\.([A-Za-z_][A-Za-z0-9_]*)$/
        if (!match.matches()) return value
        String name = match.group(1)
        Object resolved = env?.get(name)
        if (!given(resolved)) throw new IllegalArgumentException("${value}: the environment variable ${name} is not set")
        return text(resolved)
    }

    /** The run of qualysVmScan: `scan vm` flags from the parameters of qualysVulnerabilityAnalyzer. */
    @NonCPS
    static Map vmPlan(Map p, Map env) {
        checkNames('qualysVmScan', p, CONNECTION_PARAMETERS + GATE_PARAMETERS + VM_PARAMETERS)
        List<String> warnings = []
        List<String> args = ['scan', 'vm']
        boolean host = yes(p, 'useHost')
        boolean ec2 = yes(p, 'useEc2')
        if (host == ec2) throw new IllegalArgumentException('give one target: useHost: true with hostIp, or useEc2: true with ec2Id')
        if (host) {
            args += ['--ip', fromEnv(required(p, 'hostIp', 'with useHost'), env)]
            if (given(p.network)) args += ['--network', text(p.network)]
        } else {
            args += ['--ec2-instance', fromEnv(required(p, 'ec2Id', 'with useEc2'), env)]
            args += ['--ec2-connector', ec2Connector(p)]
            args += ['--ec2-endpoint', required(p, 'ec2Endpoint', 'with useEc2 (the region code, such as us-east-1)')]
            if (yes(p, 'runConnector')) args << '--run-connector'
        }
        String scanner = given(p.scannerName) ? text(p.scannerName) : ''
        if (scanner == 'All Scanners in Network') args += ['--scanner', 'all-in-network']
        else if (scanner != '' && !scanner.equalsIgnoreCase('external')) args += ['--scanner', scanner]
        if (given(p.optionProfile)) args += ['--option-profile', text(p.optionProfile)]
        if (given(p.scanName)) args += ['--scan-name', scanNameTemplate(text(p.scanName))]
        if (given(p.pollingInterval)) args += ['--poll-interval', text(p.pollingInterval)]
        if (given(p.vulnsTimeout)) args += ['--timeout', text(p.vulnsTimeout)]
        if (yes(p, 'failBySev')) args += ['--min-severity', required(p, 'bySev', 'with failBySev')]
        else unused(p, 'bySev', 'failBySev', warnings)
        if (yes(p, 'failByQids')) args += ['--fail-on-qids', required(p, 'qidList', 'with failByQids')]
        else unused(p, 'qidList', 'failByQids', warnings)
        if (yes(p, 'failByCves')) args += ['--fail-on-cves', required(p, 'cveList', 'with failByCves')]
        else unused(p, 'cveList', 'failByCves', warnings)
        if (yes(p, 'failByCvss')) {
            args += ['--fail-on-cvss', required(p, 'cvssBase', 'with failByCvss')]
            String version = given(p.byCvss) ? text(p.byCvss) : ''
            if (version == 'cvss_base') args += ['--cvss-version', '2']
            else if (version == 'cvss3_base') args += ['--cvss-version', '3']
            else if (version != '') throw new IllegalArgumentException("byCvss: \"${version}\" must be cvss_base or cvss3_base")
        } else unused(p, 'cvssBase', 'failByCvss', warnings)
        if (yes(p, 'failByPci')) args << '--fail-on-pci'
        if (yes(p, 'evaluatePotentialVulns')) args << '--include-potential'
        if (yes(p, 'doExclude')) {
            String by = required(p, 'excludeBy', "with doExclude (qid or cve_id)")
            String list = required(p, 'excludeList', 'with doExclude')
            if (by == 'qid') args += ['--exclude-qids', list]
            else if (by == 'cve_id') args += ['--exclude-cves', list]
            else throw new IllegalArgumentException("excludeBy: \"${by}\" must be qid or cve_id")
        } else unused(p, 'excludeList', 'doExclude', warnings)
        args += connectionArgs(p) + gateArgs(p)
        return plan('qualysVmScan', 'Qualys VM', 'vm', p, args, warnings)
    }

    /** The run of qualysTestConnection: `doctor` with the connection flags. */
    @NonCPS
    static Map doctorPlan(Map p) {
        checkNames('qualysTestConnection', p, CONNECTION_PARAMETERS)
        return [step: 'qualysTestConnection', args: ['doctor'] + connectionArgs(p), credsId: given(p.credsId) ? text(p.credsId) : null]
    }

    // --- steps ------------------------------------------------------------------------------------------------

    /** Runs `body` with QUALYS_USERNAME and QUALYS_PASSWORD bound from the credential `credsId`, if one is given. */
    static Object withQualysCredentials(Object script, String credsId, Closure body) {
        if (credsId == null) return body()
        return script.withCredentials([script.usernamePassword(
            credentialsId: credsId, usernameVariable: 'QUALYS_USERNAME', passwordVariable: 'QUALYS_PASSWORD')]) {
            body()
        }
    }

    /**
     * Runs a gate: the CLI, then its outputs recorded (JUnit, SARIF with Warnings NG, artifacts, report.html with
     * HTML Publisher), then the exit code as the build result: 0 SUCCESS, 1 FAILURE, 2 UNSTABLE (or FAILURE with
     * incompleteResult: 'FAILURE'), 3 and anything else FAILURE with the CLI's message. Returns
     * `[exitCode, verdict, reportDir]` when the build goes on.
     */
    static Map runGate(Object script, Map plan) {
        for (String warning in plan.warnings) script.echo("${plan.step}: warning: ${warning}")
        String dir = plan.reportDir
        int code = EXIT_ERROR
        try {
            code = withQualysCredentials(script, plan.credsId) {
                script.sh(script: gateScript(dir, plan.args), returnStatus: true, label: "${plan.label} scan gate")
            } as int
        } finally {
            // Also when the build is aborted: the CLI cancels the scan on SIGTERM and writes the outputs first.
            publish(script, plan)
        }
        String log = "${dir}/qualys-connector.log"
        String reason = reasonOf(script.fileExists(log) ? script.readFile(log) : '')
        String label = plan.label
        switch (code) {
            case EXIT_PASSED:
                script.echo("${label} gate passed: ${reason}")
                return [exitCode: code, verdict: 'passed', reportDir: dir]
            case EXIT_FAILED:
                script.error("${label} gate failed (exit 1): ${reason}")
                break
            case EXIT_INCOMPLETE:
                if (plan.incompleteResult == 'FAILURE') {
                    script.error("${label} scan incomplete (exit 2): ${reason}")
                } else {
                    script.unstable("${label} scan incomplete (exit 2): ${reason}")
                    return [exitCode: code, verdict: 'incomplete', reportDir: dir]
                }
                break
            case EXIT_ERROR:
                script.error("${label} gate: tool error (exit 3): ${reason}")
                break
            default:
                script.error("${label} gate: qualys-connector ended with exit ${code} (is it installed? " +
                    "npm install -g qualys-connector): ${reason}")
        }
        return [exitCode: code, reportDir: dir]
    }

    /** Records the outputs with the steps that are installed; an optional plugin that is missing is named. */
    static void publish(Object script, Map plan) {
        String dir = plan.reportDir
        // skipMarkingBuildUnstable: the exit code alone decides the build result.
        script.junit(testResults: "${dir}/junit.xml", allowEmptyResults: true, skipMarkingBuildUnstable: true)
        try {
            script.recordIssues(
                tools: [script.sarif(pattern: "${dir}/results.sarif", id: "qualys-${plan.kind}", name: plan.label)],
                enabledForFailure: true)
        } catch (NoSuchMethodError ignored) {
            script.echo("${plan.step}: Warnings NG is not installed: results.sarif is archived, not recorded")
        }
        script.archiveArtifacts(artifacts: "${dir}/**", allowEmptyArchive: true)
        try {
            script.publishHTML(target: [
                reportDir: dir, reportFiles: 'report.html', reportName: "${plan.label} report",
                keepAll: true, alwaysLinkToLastBuild: true, allowMissing: true,
            ])
        } catch (NoSuchMethodError ignored) {
            script.echo("${plan.step}: HTML Publisher is not installed: report.html is archived, not linked")
        }
    }

    /** Runs `qualys-connector doctor`; true when every check passed, else the step fails with the failed checks. */
    static boolean testConnection(Object script, Map plan) {
        String shell = "set +e\n${commandLine(plan.args)} 2>&1\necho \"qualys-connector-exit-code=\$?\""
        String output = withQualysCredentials(script, plan.credsId) {
            script.sh(script: shell, returnStdout: true, label: 'Qualys connection test')
        } as String
        List<String> lines = output.readLines()
        String last = lines.reverse().find { it.startsWith('qualys-connector-exit-code=') } ?: 'qualys-connector-exit-code=127'
        int code = last.substring(last.indexOf('=') + 1) as int
        String report = lines.findAll { !it.startsWith('qualys-connector-exit-code=') }.join('\n')
        script.echo(report)
        if (code == 0) return true
        // U+2717, the mark of a failed check (written as an escape: the source stays ASCII whatever Jenkins' encoding).
        List<String> failed = lines.findAll { it.trim().startsWith('\u2717') || it.trim().startsWith('remedy:') || it.startsWith('error:') }
        script.error("Qualys connection test failed (exit ${code}): ${failed ? failed.collect { it.trim() }.join('; ') : reasonOf(report)}")
        return false
    }
}
