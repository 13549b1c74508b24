import qualysconnector.jenkins.QualysGate

/**
 * qualysVmScan: the Qualys VM host scan gate, with the parameters of Qualys' qualysVulnerabilityAnalyzer step
 * (see qualysVmScan.txt). Runs `qualys-connector scan vm`, records its outputs, and sets the build result from
 * its exit code. Returns [exitCode, verdict, reportDir] when the build goes on (passed, or incomplete as UNSTABLE).
 */
def call(Map config = [:]) {
    Map plan
    try {
        plan = QualysGate.vmPlan(config, env.getEnvironment())
    } catch (IllegalArgumentException e) {
        error("qualysVmScan: ${e.message}")
    }
    return QualysGate.runGate(this, plan)
}
