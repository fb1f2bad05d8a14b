using System.Globalization;
using System.Text;
using Tcd.Models.Data.Glue;
using Tcd.Models.Evaluation;
using Tcd.Models.Training;

namespace Tcd.Experiments.Glue;

/// <summary>
/// Writes test-set predictions in the format the GLUE server accepts: one <c>&lt;Column&gt;.tsv</c> per result
/// column with the header <c>index\tprediction</c>; class names for RTE, QNLI and MNLI (<c>entailment</c>, ...),
/// 0/1 for CoLA, SST-2, MRPC and QQP, and a score clipped to [0, 5] for STS-B.
/// </summary>
public static class GlueSubmission
{
    /// <summary>Writes <c>&lt;folder&gt;/&lt;column&gt;.tsv</c> atomically and returns its path.</summary>
    /// <param name="folder">Output folder (created if missing).</param>
    /// <param name="task">The task, which decides how outputs become predictions.</param>
    /// <param name="column">The result column, which names the file.</param>
    /// <param name="ids">The test rows' <c>index</c> values, in order.</param>
    /// <param name="outputs">One row of model outputs per test row: class logits, or the single regression output.</param>
    /// <exception cref="ArgumentException">Ids and outputs differ in count, or an output row has the wrong width.</exception>
    public static string Write(string folder, GlueTask task, GlueResultColumn column, IReadOnlyList<string> ids, IReadOnlyList<float[]> outputs)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(column);
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(outputs);
        if (ids.Count != outputs.Count)
        {
            throw new ArgumentException($"{ids.Count} test ids but {outputs.Count} output rows for {column.Column}; pass one output row per test row.", nameof(outputs));
        }

        var text = new StringBuilder("index\tprediction\n");
        for (var i = 0; i < ids.Count; i++)
        {
            text.Append(ids[i]).Append('\t').Append(Prediction(task, outputs[i])).Append('\n');
        }

        var path = Path.Combine(folder, column.SubmissionFileName);
        CheckpointStore.ReplaceAtomically(path, text.ToString());
        return path;
    }

    /// <summary>The prediction string of one output row: the class name of the arg-max, or the clipped score (<see cref="GlueMetrics.PredictedScore"/>).</summary>
    public static string Prediction(GlueTask task, float[] output)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(output);
        if (output.Length != task.OutputCount)
        {
            throw new ArgumentException($"{task.Name} needs {task.OutputCount} outputs per row but a row has {output.Length}.", nameof(output));
        }

        return task.IsRegression
            ? GlueMetrics.PredictedScore(output).ToString("0.###", CultureInfo.InvariantCulture)
            : task.LabelNames[GlueMetrics.PredictedClass(output)];
    }
}
