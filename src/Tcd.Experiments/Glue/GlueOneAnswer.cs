using System.Globalization;
using Tcd.Models.Data.Glue;
using Tcd.Models.Evaluation;

namespace Tcd.Experiments.Glue;

/// <summary>
/// Whether a fine-tuned model gave every dev example the same answer — one class, or (STS-B) one score once clipped
/// as it is scored: a model that tells nothing apart yet, whose scores are those of a constant answer (its
/// correlations count as 0). <c>tcd finetune</c> notes it after scoring, and the GLUE suite records it per cell.
/// </summary>
public static class GlueOneAnswer
{
    /// <summary>What a one-answer model's scores mean, for a note after <see cref="Describe(GlueTask, IReadOnlyList{float[]})"/>'s answer.</summary>
    public const string Meaning = "the model does not tell the examples apart yet, so its scores are those of a constant answer";

    /// <summary>
    /// The note of a one-answer score, e.g. <c>every dev prediction is the class '1': the model does not tell ...; more
    /// epochs may help.</c>, worded alike wherever it is printed.
    /// </summary>
    /// <param name="answer">What every prediction was, as <see cref="Describe(GlueTask, IReadOnlyList{float[]})"/> words it.</param>
    /// <param name="remedy">What may help, as a sentence end in the caller's own option names.</param>
    /// <param name="whose">Which predictions, when not all of them, e.g. <c> of seeds 1, 3 (of 3)</c>.</param>
    public static string Note(string answer, string remedy, string whose = "") => $"every dev prediction{whose} is {answer}: {Meaning}; {remedy}";

    /// <summary>
    /// The note of an average ("Avg.") over scores that are each a one-answer score, so that the average is marked like
    /// them: their note when they share one (the same note number), else one saying that every score averaged is a
    /// constant answer's; null when a score has no note, because then the average holds something a model told apart.
    /// </summary>
    /// <param name="averagedNotes">The note of each score averaged, null for a score without one.</param>
    /// <exception cref="ArgumentException">No score is averaged.</exception>
    public static string? AverageNote(IReadOnlyList<string?> averagedNotes)
    {
        ArgumentNullException.ThrowIfNull(averagedNotes);
        if (averagedNotes.Count == 0)
        {
            throw new ArgumentException("An average needs at least one score's note (or null).", nameof(averagedNotes));
        }

        if (averagedNotes.Any(note => note is null))
        {
            return null;
        }

        return averagedNotes.Distinct(StringComparer.Ordinal).Count() == 1
            ? averagedNotes[0]
            : $"every score averaged is that of one answer given to every dev example (the notes of its cells say which): {Meaning}.";
    }

    /// <summary>Regression scores closer than this count as one answer: a float round-off apart, not a judgement.</summary>
    private const float Tolerance = 1e-4f;

    /// <summary>
    /// The one answer every output gives, e.g. <c>the class 'not_entailment'</c> or <c>the score 0.00</c>; null when
    /// the outputs differ, or there are fewer than two (one example tells nothing).
    /// </summary>
    /// <param name="task">The task, which says how outputs are read (classes by name, or a clipped score).</param>
    /// <param name="outputs">The model's output rows, one per dev example.</param>
    public static string? Describe(GlueTask task, IReadOnlyList<float[]> outputs)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(outputs);
        if (outputs.Count < 2)
        {
            return null;
        }

        if (task.IsRegression)
        {
            var scores = outputs.Select(GlueMetrics.PredictedScore).ToList();
            return scores.Max() - scores.Min() < Tolerance ? string.Create(CultureInfo.InvariantCulture, $"the score {scores[0]:F2}") : null;
        }

        return Describe(task, outputs.Select(GlueMetrics.PredictedClass).ToList());
    }

    /// <summary>
    /// The one class every prediction is, e.g. <c>the class '1'</c>, for a classifier scored from its predicted classes
    /// rather than its output rows; null when the predictions differ, or there are fewer than two.
    /// </summary>
    /// <param name="task">A classification task, whose label names name the class.</param>
    /// <param name="predictedClasses">The predicted class index of each dev example.</param>
    /// <exception cref="ArgumentException">The task is a regression task (it predicts scores, not classes).</exception>
    public static string? Describe(GlueTask task, IReadOnlyList<int> predictedClasses)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(predictedClasses);
        if (task.IsRegression)
        {
            throw new ArgumentException($"{task} predicts scores, not classes; describe its output rows instead.", nameof(task));
        }

        if (predictedClasses.Count < 2)
        {
            return null;
        }

        var classes = predictedClasses.Distinct().ToList();
        return classes.Count == 1 ? $"the class '{task.LabelNames[classes[0]]}'" : null;
    }
}
