namespace SocketDispatcher.Bench;

/// <summary>Median and range: the only statistics the report uses (few rounds, a noisy shared box).</summary>
internal static class Stats
{
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) return double.NaN;
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    public static (double Min, double Max) Range(IEnumerable<double> values)
    {
        var array = values.ToArray();
        return array.Length == 0 ? (double.NaN, double.NaN) : (array.Min(), array.Max());
    }
}
