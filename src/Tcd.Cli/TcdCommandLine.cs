using System.CommandLine;
using Tcd.Cli.Commands;

namespace Tcd.Cli;

/// <summary>The <c>tcd</c> command tree. <see cref="Run"/> is the entry point of the tool and of in-process tests.</summary>
internal sealed class TcdCommandLine
{
    /// <param name="console">Where a running command writes.</param>
    /// <param name="cancellationToken">Asks a running command to stop (training saves a checkpoint first).</param>
    public TcdCommandLine(Func<CliConsole> console, CancellationToken cancellationToken = default)
    {
        Root = new RootCommand(
            "tcd: pre-train BERT teachers and MoE-BERTs, distil TCD students, fine-tune on GLUE, run the paper's GLUE suite, initialise dense models from MoE experts (XPERT), evaluate, chart training runs and convert Hugging Face checkpoints. " +
            "Every command takes --config <file.json> (keys = option names without dashes); options on the command line override the file.");
        Pretrain = Register(PretrainCommand.Pretrain(), console, cancellationToken);
        Distill = Register(PretrainCommand.Distill(), console, cancellationToken);
        Finetune = Register(new FinetuneCommand(), console, cancellationToken);
        Glue = Register(new GlueCommand(), console, cancellationToken);
        Xpert = Register(new XpertCommand(), console, cancellationToken);
        Eval = Register(new EvalCommand(), console, cancellationToken);
        ImportHf = Register(new ImportHfCommand(), console, cancellationToken);
        ExportHf = Register(new ExportHfCommand(), console, cancellationToken);
        Plot = Register(new PlotCommand(), console, cancellationToken);
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

    public PlotCommand Plot { get; }

    /// <summary>
    /// Parses and runs <paramref name="args"/> on the calling thread. With writers, output is plain text into them (no
    /// live display); without, it goes to the terminal. Ctrl+C or SIGTERM, like <paramref name="cancellationToken"/>,
    /// stops a running command cleanly. Returns the exit code: 0 success, 1 a usage or data error (one line on the
    /// error writer), 130 cancelled (a checkpoint was saved).
    /// </summary>
    /// <remarks>
    /// The tool calls this from its main thread and the work stays there: glibc serves the main thread from the heap
    /// that <see cref="Tcd.Models.Runtime.NativeAllocator"/> keeps for reuse, while another thread's heap maps every
    /// block over 64 MiB fresh (paper-small vanilla pre-training on a worker thread took ≈120,000 page faults per step
    /// and ran at a median of ≈1,970 instead of ≈2,370 tokens/s).
    /// </remarks>
    public static int Run(string[] args, TextWriter? output = null, TextWriter? error = null, CancellationToken cancellationToken = default)
    {
        var console = output is null ? CliConsole.ForTerminal() : CliConsole.ForWriters(output, error ?? output);
        using var termination = TerminationSignals.Listen(cancellationToken);
        var commandLine = new TcdCommandLine(() => console, termination.Token);
        var invocation = new InvocationConfiguration { Output = output ?? Console.Out, Error = error ?? output ?? Console.Error };
        return commandLine.Root.Parse(args).Invoke(invocation);
    }

    private T Register<T>(T command, Func<CliConsole> console, CancellationToken cancellationToken)
        where T : ITcdCommand
    {
        command.Bind(console, cancellationToken);
        Root.Add(command.Command);
        return command;
    }
}
