namespace Tcd.Models.Losses;

/// <summary>
/// Pairs every student layer with one teacher layer for the relation losses when the two models may differ in depth.
/// </summary>
/// <remarks>
/// The rule is uniform: student layer <c>i</c> (0-based, of <c>Ls</c>) is aligned with teacher layer
/// <c>ceil((i + 1) · Lt / Ls) − 1</c> (of <c>Lt</c>). For equal depths this is the identity. A shallower student
/// takes every <c>Lt / Ls</c>-th teacher layer ending with the last one (e.g. 6 → 12: 1, 3, 5, 7, 9, 11), the usual
/// TinyBERT/MiniLM choice. A deeper student shares each teacher layer among consecutive student layers
/// (e.g. 12 → 6: 0, 0, 1, 1, …, 5, 5). In every case the last student layer meets the last teacher layer and the
/// map never decreases. Taps come several per layer (trunk and inner: one after attention, one after the
/// FFN/MoE), so tap <c>(layer, j)</c> maps to <c>(mapped layer, j)</c>.
/// </remarks>
public sealed class LayerMapping
{
    /// <summary>Creates the uniform mapping from <paramref name="studentLayers"/> student layers to <paramref name="teacherLayers"/> teacher layers.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A depth is less than 1.</exception>
    public LayerMapping(int studentLayers, int teacherLayers)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(studentLayers, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(teacherLayers, 1);
        StudentLayers = studentLayers;
        TeacherLayers = teacherLayers;
    }

    /// <summary>Number of student layers (<c>Ls</c>).</summary>
    public int StudentLayers { get; }

    /// <summary>Number of teacher layers (<c>Lt</c>).</summary>
    public int TeacherLayers { get; }

    /// <summary>The identity mapping for two models of equal depth.</summary>
    public static LayerMapping Identity(int layers) => new(layers, layers);

    /// <summary>The teacher layer aligned with <paramref name="studentLayer"/>: <c>ceil((i + 1) · Lt / Ls) − 1</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="studentLayer"/> is not in [0, <see cref="StudentLayers"/>).</exception>
    public int TeacherLayerFor(int studentLayer)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(studentLayer);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(studentLayer, StudentLayers);
        // Integer ceiling of (i + 1) · Lt / Ls; long avoids overflow for absurd depths.
        return (int)((((long)studentLayer + 1) * TeacherLayers + StudentLayers - 1) / StudentLayers) - 1;
    }

    /// <summary>
    /// The teacher tap aligned with student tap <paramref name="studentTap"/> when each layer exposes
    /// <paramref name="tapsPerLayer"/> taps in layer order: tap <c>(layer, j)</c> ↔ <c>(TeacherLayerFor(layer), j)</c>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="tapsPerLayer"/> is less than 1 or <paramref name="studentTap"/> is not a tap of the student.
    /// </exception>
    public int TeacherTapFor(int studentTap, int tapsPerLayer)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(tapsPerLayer, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(studentTap);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(studentTap, StudentLayers * tapsPerLayer);
        return TeacherLayerFor(studentTap / tapsPerLayer) * tapsPerLayer + studentTap % tapsPerLayer;
    }

    /// <summary>
    /// Checks that <paramref name="studentCount"/> student and <paramref name="teacherCount"/> teacher tensors are
    /// the same whole number of taps per layer of the two models and returns that number.
    /// </summary>
    /// <exception cref="ArgumentException">The counts do not fit the depths of this mapping.</exception>
    internal int TapsPerLayer(int studentCount, int teacherCount, string what, string parameterName)
    {
        var tapsPerLayer = studentCount / StudentLayers;
        if (studentCount == 0 || studentCount % StudentLayers != 0 || teacherCount != tapsPerLayer * TeacherLayers)
        {
            throw new ArgumentException(
                $"Got {studentCount} student and {teacherCount} teacher {what} for a layer mapping of {StudentLayers} student " +
                $"and {TeacherLayers} teacher layers; both must hold the same number (at least 1) per layer. Build the " +
                "LayerMapping from the two models' layer counts and pass the taps of every layer in layer order.",
                parameterName);
        }

        return tapsPerLayer;
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"LayerMapping({StudentLayers} → {TeacherLayers}: " +
        string.Join(", ", Enumerable.Range(0, StudentLayers).Select(TeacherLayerFor)) + ")";
}
