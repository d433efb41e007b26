/// Writes a module raster as a standalone SVG document.
///
/// Coordinates are in modules (the viewBox), the size in pixels, so the drawing stays sharp at any zoom;
/// all dark modules are one path, as thousands of `<rect>`s make phone browsers stutter.
enum SVGRenderer {
    static func render(_ raster: ModuleRaster) -> String {
        // Square cells keep their aspect ratio; a Code 128's one tall row has to stretch to its height.
        let aspect = raster.cellWidth == raster.cellHeight ? "" : #" preserveAspectRatio="none""#
        var svg = #"<svg xmlns="http://www.w3.org/2000/svg" version="1.1""#
            + #" width="\#(raster.pixelWidth)" height="\#(raster.pixelHeight)""#
            + #" viewBox="0 0 \#(raster.columns) \#(raster.rows)"\#(aspect) shape-rendering="crispEdges">"#
        // An explicit light background: the quiet zone must stay light on a dark-mode page.
        svg += ##"<rect width="\##(raster.columns)" height="\##(raster.rows)" fill="#fff"/>"##
        svg += ##"<path fill="#000" d=""##
        for row in 0..<raster.rows {
            var column = 0
            while column < raster.columns {
                guard raster.isDark(column: column, row: row) else {
                    column += 1
                    continue
                }
                let runStart = column
                while column < raster.columns, raster.isDark(column: column, row: row) {
                    column += 1
                }
                let runLength = column - runStart
                svg += "M\(runStart) \(row)h\(runLength)v1h-\(runLength)z"
            }
        }
        svg += #""/></svg>"#
        return svg
    }
}
