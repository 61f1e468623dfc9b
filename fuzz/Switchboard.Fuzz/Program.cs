using SharpFuzz;
using Switchboard.Fuzz;

// Switchboard.Fuzz: one fuzz target per parser that reads bytes from the network or from users (docs/fuzzing.md).
//
//   Switchboard.Fuzz list                        the targets, one per line
//   Switchboard.Fuzz TARGET                      runs TARGET under afl-fuzz (SharpFuzz's out-of-process fork server);
//                                                outside afl-fuzz, runs it once on standard input
//   Switchboard.Fuzz TARGET --replay PATH...     runs every file of the folders (or the files) through TARGET in process
//   Switchboard.Fuzz all --replay CORPUS         replays CORPUS/<target>/ for every target
//   Switchboard.Fuzz --write-seeds CORPUS        writes the generated seed inputs into CORPUS/<target>/

if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.Error.WriteLine("usage: Switchboard.Fuzz list | TARGET | TARGET --replay PATH... | all --replay CORPUS | --write-seeds CORPUS");
    return args.Length == 0 ? 2 : 0;
}

if (args[0] == "list")
{
    foreach (var target in FuzzTargets.All) Console.WriteLine($"{target.Name,-16} {target.Description}");
    return 0;
}

if (args[0] == "--write-seeds")
{
    if (args.Length != 2) return Usage("--write-seeds needs the corpus folder");
    return Seeds.Write(args[1]);
}

bool all = args[0] == "all";
var selected = all ? FuzzTargets.All : FuzzTargets.Find(args[0]) is { } one ? [one] : null;
if (selected is null) return Usage($"unknown target '{args[0]}' (Switchboard.Fuzz list names them)");

if (args.Length >= 2 && args[1] == "--replay")
{
    if (args.Length < 3) return Usage("--replay needs a folder or file");
    return Replay.Run(selected, all, args[2..]);
}
if (all || args.Length != 1) return Usage("a fuzzing run takes exactly one target");

var run = selected[0].Run;
var input = new MemoryStream();
Fuzzer.OutOfProcess.Run(stream =>
{
    input.SetLength(0);
    stream.CopyTo(input);
    run(input.GetBuffer().AsSpan(0, (int)input.Length));
});
return 0;

static int Usage(string problem)
{
    Console.Error.WriteLine($"Switchboard.Fuzz: {problem}");
    return 2;
}
