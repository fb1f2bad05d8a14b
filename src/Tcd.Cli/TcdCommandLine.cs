using System.CommandLine;
using Tcd.Cli.Commands;

namespace Tcd.Cli;

/// <summary>The <c>tcd</c> command tree. <see cref="RunAsync"/> is the entry point of the tool and of in-process tests.</summary>
internal sealed class TcdCommandLine
{
    public TcdCommandLine(Func<CliConsole> console)
    {
        Root = new RootCommand(
            "tcd: pre-train BERT teachers and MoE-BERTs, distil TCD students, fine-tune on GLUE, run the paper's GLUE suite, initialise dense models from MoE experts (XPERT), evaluate and convert Hugging Face checkpoints. " +
            "Every command takes --config <file.json> (keys = option names without dashes); options on the command line override the file.");
        Pretrain = Register(PretrainCommand.Pretrain(), console);
        Distill = Register(PretrainCommand.Distill(), console);
        Finetune = Register(new FinetuneCommand(), console);
        Glue = Register(new GlueCommand(), console);
        Xpert = Register(new XpertCommand(), console);
        Eval = Register(new EvalCommand(), console);
        ImportHf = Register(new ImportHfCommand(), console);
        ExportHf = Register(new ExportHfCommand(), console);
    }

    public RootCommand Root { get; }

    public PretrainCommand Pretrain { get; }

    public PretrainCommand Distill { get; }

    public FinetuneCommand Finetune { get; }

    public GlueCommand Glue { get; }

    public XpertCommand Xpert { get; }

    public EvalCommand Eval { get; }

    public ImportHfCommand ImportHf { get; }

    public ExportHfCommand ExportHf { get; }

    /// <summary>
    /// Parses and runs <paramref name="args"/>. With writers, output is plain text into them (no live display);
    /// without, it goes to the terminal. Returns the exit code: 0 success, 1 a usage or data error (one line on the
    /// error writer), 130 cancelled (a checkpoint was saved).
    /// </summary>
    public static Task<int> RunAsync(string[] args, TextWriter? output = null, TextWriter? error = null, CancellationToken cancellationToken = default)
    {
        var console = output is null ? CliConsole.ForTerminal() : CliConsole.ForWriters(output, error ?? output);
        var commandLine = new TcdCommandLine(() => console);
        var invocation = new InvocationConfiguration { Output = output ?? Console.Out, Error = error ?? output ?? Console.Error };
        return commandLine.Root.Parse(args).InvokeAsync(invocation, cancellationToken);
    }

    private T Register<T>(T command, Func<CliConsole> console)
        where T : ITcdCommand
    {
        command.Bind(console);
        Root.Add(command.Command);
        return command;
    }
}
