import LuaHost
import ScriptAPI

/// The host side of `require`: finds, reads and compiles a module (the prelude's `require`
/// caches it, runs it once and detects cycles), and remembers every file loaded for the
/// run record.
enum RequireModule {
    /// The modules a run loaded, each file once, in the order they were first loaded.
    final class Loaded {
        private(set) var modules: [ModuleSearch.Module] = []

        func note(_ module: ModuleSearch.Module) {
            if !modules.contains(where: { $0.path == module.path }) { modules.append(module) }
        }

        /// `path sha256` lines, as run records keep them.
        var recordText: String { modules.map { "\($0.path) \($0.sha256)" }.joined(separator: "\n") }
    }

    /// `require`'s host half: returns the compiled chunk and the file's real path (the key a
    /// module is cached under, so one file under two names runs once).
    static func function(search: ModuleSearch, loaded: Loaded) -> LuaHostFunction {
        LuaHostFunction("require") { args in
            try args.expectAtMost(1)
            let name = try args.string(1)
            let module: ModuleSearch.Module
            do throws(ModuleSearch.Failure) {
                module = try search.find(name)
            } catch {
                throw RequireFailure(description: error.description)
            }
            let chunk = try args.vm.load(bytes: module.source, chunkName: module.chunkName)
            loaded.note(module)
            return .many([.function(chunk), .string(LuaString(module.path))])
        }
    }

    struct RequireFailure: Error, CustomStringConvertible {
        let description: String
    }
}
