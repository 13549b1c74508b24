/*
 * The pipeline double of the Jenkins library's tests: loads each vars/ step as Jenkins loads a shared library's
 * global variables (src/ on the class path, the step's script bound to the pipeline's steps) and runs it against
 * recording doubles of the pipeline steps. `sh` runs for real, in the scenario's workspace, so the step runs the
 * real qualys-connector. An absent plugin's steps throw NoSuchMethodError, as Jenkins does for a step it does not
 * have. A scenario with `plan` (wasPlan, vmPlan, doctorPlan) only reads its parameters into the CLI's arguments.
 * Usage: groovy run-steps.groovy LIBRARY_DIR STUBS_DIR SCENARIOS_JSON OUT_JSON
 */

import groovy.json.JsonOutput
import groovy.json.JsonSlurper
import org.codehaus.groovy.control.CompilerConfiguration

/** error(): Jenkins ends the build with hudson.AbortException; here the same, by name. */
class AbortException extends RuntimeException {
    AbortException(String message) { super(message) }
}

/** A pipeline script: a step it calls is looked up in the binding, as a global; an unknown one is NoSuchMethodError. */
abstract class PipelineScript extends Script {
    def methodMissing(String name, Object args) {
        Binding b = getBinding()
        if (b.hasVariable(name) && b.getVariable(name) instanceof Closure)
            return ((Closure) b.getVariable(name)).call(args as Object[])
        throw new NoSuchMethodError("No such DSL method '${name}' found among steps")
    }
}

/** The `env` global: a map of the build's environment, with EnvActionImpl's getEnvironment(). */
class EnvDouble extends LinkedHashMap<String, String> {
    Map<String, String> getEnvironment() { return new LinkedHashMap<String, String>(this) }
}

/** The `currentBuild` global: a result that only gets worse, as Jenkins' Run.setResult. */
class BuildDouble {
    private static final List<String> ORDER = ['SUCCESS', 'UNSTABLE', 'FAILURE']
    String result = null
    void setResult(String value) {
        if (result == null || ORDER.indexOf(value) > ORDER.indexOf(result)) result = value
    }
    String getCurrentResult() { return result ?: 'SUCCESS' }
}

String libraryDir = args[0]
String stubsDir = args[1]
List scenarios = new JsonSlurper().parse(new File(args[2])) as List
File out = new File(args[3])

/** Values as JSON can hold them: GStrings as strings, closures named. */
def plain
plain = { Object value ->
    if (value instanceof Map) return value.collectEntries { k, v -> [(String.valueOf(k)): plain(v)] }
    if (value instanceof Collection || value instanceof Object[]) return value.collect { plain(it) }
    if (value instanceof Closure) return '<closure>'
    if (value instanceof CharSequence) return value.toString()
    return value
}

Map results = [:]
for (Map scenario in scenarios) {
    File workspace = new File(scenario.workspace as String)
    List calls = []
    List echoes = []
    StringBuilder shLog = new StringBuilder()
    EnvDouble env = new EnvDouble()
    env.putAll(scenario.env as Map)
    Map<String, String> bound = [:]
    BuildDouble build = new BuildDouble()
    Set plugins = (scenario.plugins ?: []) as Set
    Map credentials = (scenario.credentials ?: [:]) as Map
    Binding binding = new Binding()
    def record = { String step, Object[] stepArgs ->
        calls << [step: step, args: plain(stepArgs.findAll { !(it instanceof Closure) })]
    }
    binding.setVariable('env', env)
    binding.setVariable('currentBuild', build)
    binding.setVariable('echo', { String message -> record('echo', message); echoes << message.toString(); null })
    binding.setVariable('error', { String message -> record('error', message); throw new AbortException(message.toString()) })
    binding.setVariable('unstable', { String message -> record('unstable', message); build.result = 'UNSTABLE'; null })
    binding.setVariable('fileExists', { String file -> record('fileExists', file); new File(workspace, file).exists() })
    binding.setVariable('readFile', { Object file ->
        String name = file instanceof Map ? file.file : file
        record('readFile', name)
        new File(workspace, name).getText('UTF-8')
    })
    binding.setVariable('sh', { Map shArgs ->
        record('sh', shArgs)
        ProcessBuilder pb = new ProcessBuilder('/bin/sh', '-xe', '-c', shArgs.script as String).directory(workspace)
        pb.environment().clear()
        pb.environment().putAll(env)
        pb.environment().putAll(bound)
        pb.redirectErrorStream(!shArgs.returnStdout)
        Process process = pb.start()
        StringBuilder stdout = new StringBuilder()
        Thread errReader = Thread.start { shLog.append(process.errorStream.getText('UTF-8')) }
        stdout.append(process.inputStream.getText('UTF-8'))
        int code = process.waitFor()
        errReader.join()
        shLog.append(stdout)
        if (shArgs.returnStatus) return code
        if (code != 0) throw new AbortException("script returned exit code ${code}")
        return shArgs.returnStdout ? stdout.toString() : null
    })
    binding.setVariable('usernamePassword', { Map a -> record('usernamePassword', a); [kind: 'usernamePassword'] + a })
    binding.setVariable('withCredentials', { List bindings, Closure body ->
        record('withCredentials', bindings)
        List<String> names = []
        for (Map b in bindings) {
            Map credential = credentials[b.credentialsId] as Map
            if (credential == null)
                throw new AbortException("Could not find credentials entry with ID '${b.credentialsId}'")
            bound[b.usernameVariable as String] = credential.username as String
            bound[b.passwordVariable as String] = credential.password as String
            names += [b.usernameVariable as String, b.passwordVariable as String]
        }
        try {
            return body()
        } finally {
            names.each { bound.remove(it) }
        }
    })
    binding.setVariable('junit', { Map a -> record('junit', a); null })
    binding.setVariable('archiveArtifacts', { Map a -> record('archiveArtifacts', a); null })
    if ('warnings-ng' in plugins) {
        binding.setVariable('sarif', { Map a -> record('sarif', a); [tool: 'sarif'] + a })
        binding.setVariable('recordIssues', { Map a -> record('recordIssues', a); null })
    }
    if ('htmlpublisher' in plugins) binding.setVariable('publishHTML', { Map a -> record('publishHTML', a); null })

    CompilerConfiguration config = new CompilerConfiguration()
    config.scriptBaseClass = PipelineScript.name
    GroovyClassLoader loader = new GroovyClassLoader(this.class.classLoader, config)
    loader.addClasspath(stubsDir)
    loader.addClasspath(new File(libraryDir, 'src').path)
    GroovyShell shell = new GroovyShell(loader, binding, config)
    Map outcome = [:]
    try {
        if (scenario.plan) {
            // Only the parameters read into a plan (QualysGate.wasPlan, vmPlan, doctorPlan): nothing runs.
            Class gate = loader.loadClass('qualysconnector.jenkins.QualysGate')
            Map params = (scenario.params ?: [:]) as Map
            outcome.returned = plain(scenario.plan == 'vmPlan' ? gate.vmPlan(params, env) : gate."${scenario.plan}"(params))
        } else {
            Script step = shell.parse(new File(libraryDir, "vars/${scenario.step}.groovy"))
            step.binding = binding
            outcome.returned = plain(step.invokeMethod('call', [scenario.params ?: [:]] as Object[]))
        }
    } catch (IllegalArgumentException e) {
        outcome.error = e.message
    } catch (AbortException e) {
        build.result = 'FAILURE'
        outcome.error = e.message
    } catch (Throwable e) {
        build.result = 'FAILURE'
        outcome.exception = "${e.class.name}: ${e.message}".toString()
    }
    outcome.result = build.currentResult
    outcome.calls = calls
    outcome.echoes = echoes
    outcome.shLog = shLog.toString()
    results[scenario.name] = outcome
}
out.setText(JsonOutput.prettyPrint(JsonOutput.toJson(results)), 'UTF-8')
