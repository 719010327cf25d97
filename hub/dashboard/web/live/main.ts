document.getElementById('app')?.append('GridFlex dashboard');
