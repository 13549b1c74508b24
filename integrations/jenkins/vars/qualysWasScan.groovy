import qualysconnector.jenkins.QualysGate

/**
 * qualysWasScan: the Qualys WAS scan gate, with the parameters of Qualys' qualysWASScan step (see
 * qualysWasScan.txt). Runs `qualys-connector scan was`, records its outputs, and sets the build result from its
 * exit code. Returns [exitCode, verdict, reportDir] when the build goes on (passed, or incomplete as UNSTABLE).
 */
def call(Map config = [:]) {
    Map plan
    try {
        plan = QualysGate.wasPlan(config)
    } catch (IllegalArgumentException e) {
        error("qualysWasScan: ${e.message}")
    }
    return QualysGate.runGate(this, plan)
}
